package jenkins.util

//#if >=2.427
import groovy.lang.Binding
import hudson.model.User

// Jenkins 2.427's extension point for script use (jenkins/util/ScriptListener.java 77 and 93 at
// 2.579): the script console hands every listener the script text and an empty Binding before it
// runs the script, then its output (hudson/util/RemotingDiagnostics.java 121-127), never the
// request's other form fields. A trait, because Groovy 2.4 has no default methods in interfaces.
// Jenkins's static fireScriptExecution and fireScriptOutput are in RemotingDiagnostics here: a
// trait's static methods cannot be called on the trait.
trait ScriptListener {
    void onScriptExecution(String script, Binding binding, Object feature, Object context, String correlationId, User user) {
    }

    void onScriptOutput(String output, Object feature, Object context, String correlationId, User user) {
    }
}
//#end
