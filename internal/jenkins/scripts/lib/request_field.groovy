// A form field of the POST that carries this script, or null: how a secret reaches a script
// without being part of its text. Jenkins hands the script text, and nothing else of the
// request, to its script listeners before running it (RemotingDiagnostics.executeGroovy from
// 2.427: core's DefaultScriptListener logs it at FINE, the audit-trail plugin writes it to its
// audit log). The script console runs the script on the request's own thread (the local
// channel calls it in place), where Stapler keeps the current request: getCurrentRequest2 from
// Jenkins 2.475, getCurrentRequest before (and a deprecated wrapper since).
def requestField(String name) {
    def stapler = org.kohsuke.stapler.Stapler
    def req = stapler.metaClass.respondsTo(stapler, 'getCurrentRequest2').isEmpty() ?
            stapler.getCurrentRequest() : stapler.getCurrentRequest2()
    return req?.getParameter(name)
}
