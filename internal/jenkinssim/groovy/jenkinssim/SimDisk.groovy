package jenkinssim

import java.util.concurrent.ConcurrentHashMap

// The simulator's $JENKINS_HOME: byte snapshots that survive a simulated restart (which drops
// every in-memory object) and vanish on /__sim/reset. Keys mirror Jenkins's files.
class SimDisk {
    static final Map<String, byte[]> users = new ConcurrentHashMap<String, byte[]>()      // users/<dir>/config.xml
    static final Map<String, byte[]> tokenStats = new ConcurrentHashMap<String, byte[]>() // users/<dir>/apiTokenStats.xml
    static final Map<String, byte[]> files = new ConcurrentHashMap<String, byte[]>()      // other top-level files
    static final Map<String, String> secrets = new ConcurrentHashMap<String, String>()    // secrets/<key>

    static void clear() {
        users.clear()
        tokenStats.clear()
        files.clear()
        secrets.clear()
    }

    static byte[] serialize(Object o) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream()
        new ObjectOutputStream(bos).withStream { it.writeObject(o) }
        bos.toByteArray()
    }

    static Object deserialize(byte[] data) {
        ClassLoader loader = SimDisk.classLoader
        ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(data)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                Class.forName(desc.name, false, loader)
            }
        }
        ois.withStream { it.readObject() }
    }

    /** A confidential key that stays stable across restarts, like $JENKINS_HOME/secrets. */
    static String secret(String name) {
        secrets.computeIfAbsent(name) {
            byte[] b = new byte[32]
            new java.security.SecureRandom().nextBytes(b)
            b.encodeHex().toString()
        }
    }
}
