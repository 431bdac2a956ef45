// The simulated JVM's entry point: one JVM runs a fleet of one or more controllers.
//
// The launcher (sim.go) writes one JSON line on stdin:
//   {"sources": [{"dir": <srcDir>, "classes": <classesDir>}, ...],
//    "controllers": [{"source": <index in sources>, "admin": "user:password", "args": [...]}, ...]}
// Each source tree (the stand-ins preprocessed for one Jenkins version) is compiled in one
// compilation unit (Groovy 2.4 cannot resolve Outer.Inner references across lazily compiled
// source files). Each controller gets its own URLClassLoader over its version's classes, so
// its statics (Jenkins.get(), the users, the disk, the stats, ...) are its own, and
// jenkinssim.SimServer.start runs in it on a thread whose context class loader is that loader
// (SimClock tells controllers apart by it). Script-console shells use that loader as parent.
// Each controller started prints "jenkins-sim ready controller=<i> port=<port>".
//
// The rest of stdin is the control channel, which does not go through any controller's
// listener (so it works while one is unreachable): one command a line, "<seq> reachable <i>
// true|false", answered "jenkins-sim ctl <seq> ok" or "jenkins-sim ctl <seq> error <message>".
// The JVM exits when stdin closes: no orphan if the launcher dies.
import groovy.json.JsonSlurper
import groovy.io.FileType
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.CompilerConfiguration

import java.lang.reflect.InvocationTargetException
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executors

BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, 'UTF-8'))
String first = stdin.readLine()
if (first == null) {
    System.exit(0)
}
Map config = (Map) new JsonSlurper().parseText(first)

List<File> classDirs = []
for (Map source : (List<Map>) config.sources) {
    File out = new File((String) source.classes)
    out.mkdirs()
    CompilerConfiguration cc = new CompilerConfiguration()
    cc.targetDirectory = out
    CompilationUnit cu = new CompilationUnit(cc)
    new File((String) source.dir).eachFileRecurse(FileType.FILES) { File f ->
        if (f.name.endsWith('.groovy') && f.parentFile.name != 'boot') {
            cu.addSource(f)
        }
    }
    cu.compile()
    classDirs.add(out)
}

ClassLoader parent = getClass().classLoader
Map<Integer, Class<?>> servers = new ConcurrentHashMap<Integer, Class<?>>()
List<Map> controllers = (List<Map>) config.controllers
// Controllers start in parallel, one per core: each loads its classes and compiles a warm-up script.
def pool = Executors.newFixedThreadPool(Math.max(1, Math.min(controllers.size(), Runtime.runtime.availableProcessors()))) { Runnable r ->
    Thread t = new Thread(r, 'sim-boot')
    t.daemon = true
    t
}
controllers.eachWithIndex { Map c, int i ->
    pool.execute {
        URLClassLoader loader = new URLClassLoader([classDirs[(int) c.source].toURI().toURL()] as URL[], parent)
        Thread current = Thread.currentThread()
        current.contextClassLoader = loader
        try {
            Class<?> server = loader.loadClass('jenkinssim.SimServer')
            int port = (int) server.getMethod('start', String[], String).invoke(null, (c.args as List<String>) as String[], (String) c.admin)
            servers.put(i, server)
            System.out.println('jenkins-sim ready controller=' + i + ' port=' + port)
            System.out.flush()
        } catch (Throwable t) {
            Throwable cause = t instanceof InvocationTargetException ? t.cause : t
            System.err.println('jenkins-sim: controller ' + i + ' failed to start: ' + cause)
            cause.printStackTrace()
            System.exit(1)
        } finally {
            current.contextClassLoader = parent
        }
    }
}
pool.shutdown()

String line
while ((line = stdin.readLine()) != null) {
    String[] f = line.trim().split(' ')
    String seq = f[0]
    String answer
    try {
        if (f.length != 4 || f[1] != 'reachable' || !(f[3] in ['true', 'false'])) {
            throw new IllegalArgumentException('unknown command')
        }
        Class<?> server = servers.get(f[2].toInteger())
        if (server == null) {
            throw new IllegalArgumentException('no running controller ' + f[2])
        }
        server.getMethod('setReachable', boolean).invoke(null, f[3] == 'true')
        answer = 'ok'
    } catch (Throwable t) {
        Throwable cause = t instanceof InvocationTargetException ? t.cause : t
        answer = 'error ' + String.valueOf(cause).replaceAll('[\r\n]+', ' ')
    }
    System.out.println('jenkins-sim ctl ' + seq + ' ' + answer)
    System.out.flush()
}
System.exit(0)
