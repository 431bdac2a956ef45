package jenkinssim

import jenkins.model.Jenkins
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer

// Jenkins's script console execution (RemotingDiagnostics.executeGroovy): a fresh GroovyShell
// per call over the class loader of the stand-ins, only `out` bound, the default star imports,
// "Result: " for a non-null value, and the stack trace on any Throwable.
class ScriptConsole {
    static String run(String script) {
        StringWriter sw = new StringWriter()
        PrintWriter pw = new PrintWriter(sw)
        try {
            CompilerConfiguration cc = new CompilerConfiguration()
            ImportCustomizer ic = new ImportCustomizer()
            ic.addStarImports('jenkins', 'jenkins.model', 'hudson', 'hudson.model')
            cc.addCompilationCustomizers(ic)
            Binding binding = new Binding()
            binding.setVariable('out', pw)
            GroovyShell shell = new GroovyShell(Jenkins.classLoader, binding, cc)
            Object output = shell.evaluate(script)
            if (output != null) {
                // String.valueOf, not Groovy's toString: Jenkins concatenates in Java.
                pw.println('Result: ' + String.valueOf(output))
            }
        } catch (Throwable t) {
            pw.print(printThrowable(t))
        }
        pw.flush()
        sw.toString()
    }

    /** Functions.printThrowable: root cause first, then each wrapper after "Caused: ", trimmed, one newline. */
    static String printThrowable(Throwable t) {
        List<Throwable> chain = []
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<Throwable, Boolean>())
        for (Throwable c = t; c != null && seen.add(c); c = c.cause) {
            chain.add(c)
        }
        StringBuilder sb = new StringBuilder()
        StackTraceElement[] below = null
        for (int i = chain.size() - 1; i >= 0; i--) {
            Throwable c = chain[i]
            if (i != chain.size() - 1) {
                sb.append('Caused: ')
            }
            sb.append(String.valueOf(c)).append('\n')
            StackTraceElement[] frames = c.stackTrace
            int end = frames.length
            if (below != null) {
                // Skip the frames this wrapper shares with the cause printed above it.
                int j = below.length - 1
                while (end > 0 && j >= 0 && frames[end - 1] == below[j]) {
                    end--
                    j--
                }
            }
            for (int k = 0; k < end; k++) {
                sb.append('\tat ').append(frames[k]).append('\n')
            }
            below = frames
        }
        sb.toString().trim() + '\n'
    }
}
