// Compiles every stand-in source in one compilation unit (Groovy 2.4 cannot resolve
// Outer.Inner references across lazily compiled source files), then starts SimServer from
// a class loader over the compiled classes. Script-console shells use that loader as parent.
// Usage: Boot.groovy <srcDir> <classesDir> <SimServer args...>
import groovy.io.FileType
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.CompilerConfiguration

File src = new File(args[0])
File out = new File(args[1])
out.mkdirs()
CompilerConfiguration cc = new CompilerConfiguration()
cc.targetDirectory = out
CompilationUnit cu = new CompilationUnit(cc)
src.eachFileRecurse(FileType.FILES) { File f ->
    if (f.name.endsWith('.groovy') && f.parentFile.name != 'boot') {
        cu.addSource(f)
    }
}
cu.compile()
URLClassLoader loader = new URLClassLoader([out.toURI().toURL()] as URL[], getClass().classLoader)
Thread.currentThread().contextClassLoader = loader
Class<?> main = loader.loadClass('jenkinssim.SimServer')
String[] rest = args.length > 2 ? args[2..-1] as String[] : new String[0]
main.getMethod('main', String[]).invoke(null, [rest] as Object[])
