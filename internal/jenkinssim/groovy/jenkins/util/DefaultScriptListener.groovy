package jenkins.util

//#if >=2.427
import groovy.lang.Binding
import hudson.model.User
import org.codehaus.groovy.runtime.InvokerHelper

import java.util.logging.Level
import java.util.logging.Logger

// Core's listener that logs every script and its output (DefaultScriptListener.java 47-59 at
// 2.579): the script and its binding at FINE, the output at FINER.
class DefaultScriptListener implements ScriptListener {
    static final Logger LOGGER = Logger.getLogger(DefaultScriptListener.name)

    @Override
    void onScriptExecution(String script, Binding binding, Object feature, Object context, String correlationId, User user) {
        String userFragment = user == null ? ' (no user)' : " by user: '" + user + "'"
        if (LOGGER.isLoggable(Level.FINE)) {
            LOGGER.log(Level.FINE, "Execution of script: '" + script + "' with binding: '" + stringifyBinding(binding) + "' in feature: '" +
                feature + "' and context: '" + context + "' with correlation: '" + correlationId + "'" + userFragment)
        }
    }

    @Override
    void onScriptOutput(String output, Object feature, Object context, String correlationId, User user) {
        String userFragment = user == null ? ' (no user)' : " for user: '" + user + "'"
        if (LOGGER.isLoggable(Level.FINER)) {
            LOGGER.log(Level.FINER, "Script output: '" + output + "' in feature: '" + feature + "' and context: '" + context +
                "' with correlation: '" + correlationId + "'" + userFragment)
        }
    }

    static String stringifyBinding(Binding binding) {
        binding == null ? null : InvokerHelper.toString(binding.getVariables())
    }
}
//#end
