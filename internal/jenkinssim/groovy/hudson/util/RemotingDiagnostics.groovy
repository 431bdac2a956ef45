package hudson.util

import hudson.model.User
import jenkins.model.Jenkins
import jenkinssim.ScriptAudit
import jenkinssim.ScriptConsole

// The script console's entry point (RemotingDiagnostics.executeGroovy, with the local channel:
// the script runs on the calling thread). From 2.427, the script text, an empty Binding and the
// caller go to every ScriptListener before the script runs, and its output after
// (RemotingDiagnostics.java 121-127 at 2.579); 2.260 only ran it (110-111). Nothing else of the
// request reaches the listeners. The simulator's audit log records every script on every version.
class RemotingDiagnostics {
    static String executeGroovy(String script) {
        String correlationId = UUID.randomUUID().toString()
        String context = 'hudson.remoting.LocalChannel'
        User user = User.current()
        Map entry = ScriptAudit.record(script, new Binding(), user)
//#if >=2.427
        fire { jenkins.util.ScriptListener l -> l.onScriptExecution(script, new Binding(), RemotingDiagnostics, context, correlationId, user) }
//#end
        String output = ScriptConsole.run(script)
//#if >=2.427
        fire { jenkins.util.ScriptListener l -> l.onScriptOutput(output, RemotingDiagnostics, context, correlationId, user) }
//#end
        ScriptAudit.ran(entry)
        output
    }

//#if >=2.427
    /** ScriptListener.fireScriptExecution/fireScriptOutput: Listeners.notify, a failing listener logged and skipped. */
    private static void fire(Closure c) {
        for (jenkins.util.ScriptListener l : Jenkins.get().getExtensionList(jenkins.util.ScriptListener)) {
            try {
                c.call(l)
            } catch (Throwable t) {
                System.err.println('jenkins-sim: script listener ' + l.getClass().name + ' failed: ' + t)
            }
        }
    }
//#end
}
