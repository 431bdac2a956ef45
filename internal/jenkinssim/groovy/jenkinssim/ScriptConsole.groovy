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

    /**
     * Functions.printStackTrace(t, pw): pw.println(printThrowable(t).trim()). printThrowable
     * prints the innermost cause first, each suppressed exception after "Also:   " (indented one
     * tab more), then the wrapper after "Caused: " with the ": <cause>" tail of its summary cut,
     * leaving out the frames it shares with the exception above it, with no "... n more".
     */
    static String printThrowable(Throwable t) {
        StringBuilder sb = new StringBuilder()
        doPrintStackTrace(sb, t, null, '', Collections.newSetFromMap(new IdentityHashMap<Throwable, Boolean>()))
        sb.toString().trim() + System.lineSeparator()
    }

    private static void doPrintStackTrace(StringBuilder s, Throwable t, Throwable higher, String prefix, Set<Throwable> encountered) {
        if (!encountered.add(t)) {
            s.append('<cycle to ').append(String.valueOf(t)).append('>\n')
            return
        }
        if (t.getClass().getMethod('printStackTrace', PrintWriter).declaringClass != Throwable) {
            StringWriter sw = new StringWriter()
            t.printStackTrace(new PrintWriter(sw))
            s.append(sw)
            return
        }
        Throwable lower = t.cause
        if (lower != null) {
            doPrintStackTrace(s, lower, t, prefix, encountered)
        }
        for (Throwable suppressed : t.suppressed) {
            s.append(prefix).append('Also:   ')
            doPrintStackTrace(s, suppressed, t, prefix + '\t', encountered)
        }
        if (lower != null) {
            s.append(prefix).append('Caused: ')
        }
        String summary = String.valueOf(t)
        if (lower != null) {
            String suffix = ': ' + String.valueOf(lower)
            if (summary.endsWith(suffix)) {
                summary = summary.substring(0, summary.length() - suffix.length())
            }
        }
        s.append(summary).append(System.lineSeparator())
        StackTraceElement[] trace = t.stackTrace
        int end = trace.length
        if (higher != null) {
            StackTraceElement[] higherTrace = higher.stackTrace
            while (end > 0) {
                int higherEnd = end + higherTrace.length - trace.length
                if (higherEnd <= 0 || higherTrace[higherEnd - 1] != trace[end - 1]) {
                    break
                }
                end--
            }
        }
        for (int i = 0; i < end; i++) {
            s.append(prefix).append('\tat ').append(String.valueOf(trace[i])).append(System.lineSeparator())
        }
    }
}
