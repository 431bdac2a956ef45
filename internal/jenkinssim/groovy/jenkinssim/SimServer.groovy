package jenkinssim

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import com.sun.net.httpserver.HttpsConfigurator
import com.sun.net.httpserver.HttpsServer
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import hudson.model.User
import hudson.security.ACL
import hudson.security.HudsonPrivateSecurityRealm
import jenkins.model.IdStrategy
import jenkins.model.Jenkins
import jenkins.security.ApiTokenProperty

import javax.net.ssl.KeyManagerFactory
import javax.net.ssl.SSLContext
import java.security.KeyFactory
import java.security.KeyStore
import java.security.PrivateKey
import java.security.SecureRandom
import java.security.cert.Certificate
import java.security.cert.CertificateFactory
import java.security.spec.PKCS8EncodedKeySpec
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.locks.ReentrantReadWriteLock

// Entry point: the HTTP front of the simulated Jenkins plus the /__sim/ control endpoints.
class SimServer {
    static volatile String state = 'starting'
    static String contextPath = ''
    static String adminId = 'admin'
    static String adminPassword = 'admin'
    static String scheme = 'http'
    static String cookieName
    // Requests run under the read lock; reset and restart swap the world under the write lock.
    static final ReentrantReadWriteLock WORLD = new ReentrantReadWriteLock()
    static final Map<String, AtomicInteger> STATS = new ConcurrentHashMap<String, AtomicInteger>()
    static final List<Map> FAULTS = Collections.synchronizedList(new ArrayList<Map>())
    static final Set<String> SESSIONS = ConcurrentHashMap.newKeySet()
    static final Set<String> REALM_USERS = ConcurrentHashMap.newKeySet()
    /** Passwords the directory holds for some of REALM_USERS (test data, plain), kept across restarts. */
    static final Map<String, String> REALM_PASSWORDS = new ConcurrentHashMap<String, String>()
    /** Account statuses the directory gives (POST /realm-accounts), kept across restarts as the directory is. */
    static final Map<String, String> REALM_ACCOUNTS = new ConcurrentHashMap<String, String>()
    static final SecureRandom RANDOM = new SecureRandom()
    static volatile int restartGeneration = 0
    /** The --realm-directory the simulator started with: POST /reset returns to it. */
    static String startDirectory = 'none'

    /** The listener; null while the controller is unreachable (setReachable). */
    private static HttpServer server
    /** The address it listens on, its port fixed once bound: setReachable(true) listens there again. */
    private static InetSocketAddress listenAddress
    private static HttpsConfigurator httpsConfigurator
    private static java.util.concurrent.ExecutorService executor

    /**
     * Starts this controller (Boot calls it, once per class loader, on a thread whose context
     * class loader is this one) and returns the port it listens on. admin: "user:password".
     */
    static int start(String[] args, String admin) {
        String listen = '127.0.0.1:0'
        String tlsCert = null
        String tlsKey = null
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case '--listen': listen = args[++i]; break
                case '--context-path': contextPath = args[++i]; break
                case '--version': Jenkins.VERSION = args[++i]; break
                case '--tls-cert': tlsCert = args[++i]; break
                case '--tls-key': tlsKey = args[++i]; break
                case '--admin': admin = args[++i]; break
                case '--realm-lookup': HudsonPrivateSecurityRealm.simLookupSupported = args[++i] != 'unsupported'; break
                case '--realm-directory':
                    String directory = args[++i]
                    if (!(directory in HudsonPrivateSecurityRealm.SIM_DIRECTORIES)) {
                        throw new IllegalArgumentException('--realm-directory ' + directory + ': want ' + HudsonPrivateSecurityRealm.SIM_DIRECTORIES.join('|'))
                    }
                    HudsonPrivateSecurityRealm.simDirectory = directory
                    startDirectory = directory
                    break
                case '--realm-latency-ms':
                case '--save-latency-ms':
                    String flag = args[i]
                    Long nanos = SimLatency.nanosOf(new BigDecimal(args[++i]))
                    if (nanos == null) {
                        throw new IllegalArgumentException(flag + ' ' + args[i] + ': want milliseconds from 0 to 3600000')
                    }
                    if (flag == '--realm-latency-ms') {
                        SimLatency.startRealmNanos = nanos
                    } else {
                        SimLatency.startSaveNanos = nanos
                    }
                    SimLatency.reset()
                    break
                case '--plugins':
                    Jenkins.simPlugins = args[++i].split(',').findAll { it } as List<String>
                    break
                case '--realm-respell': HudsonPrivateSecurityRealm.simLowercaseNames = args[++i] == 'lowercase'; break
                case '--id-strategy':
                    String strategy = args[++i]
                    HudsonPrivateSecurityRealm.simIdStrategy = strategy == 'case-sensitive' ? new IdStrategy.CaseSensitive() :
                        strategy == 'case-sensitive-email' ? new IdStrategy.CaseSensitiveEmailAddress() : IdStrategy.CASE_INSENSITIVE
                    break
                default: throw new IllegalArgumentException('unknown argument ' + args[i])
            }
        }
        if (admin != null) {
            int c = admin.indexOf(':')
            adminId = admin.substring(0, c)
            adminPassword = admin.substring(c + 1)
        }
        contextPath = contextPath.replaceAll('/+$', '')
        if (contextPath && !contextPath.startsWith('/')) {
            contextPath = '/' + contextPath
        }
        Jenkins.simAdminId = adminId

        int colon = listen.lastIndexOf(':')
        listenAddress = new InetSocketAddress(InetAddress.getByName(listen.substring(0, colon)), listen.substring(colon + 1).toInteger())
        if (tlsCert != null) {
            httpsConfigurator = new HttpsConfigurator(sslContext(tlsCert, tlsKey))
            scheme = 'https'
        }
        // Pool threads run this controller's requests: its class loader is their context class
        // loader, which SimClock reads to find the controller's clock.
        ClassLoader own = SimServer.classLoader
        executor = Executors.newFixedThreadPool(32) { Runnable r ->
            Thread t = new Thread(r, 'sim-request')
            t.contextClassLoader = own
            t.daemon = true
            t
        }
        bindListener()
        int port = listenAddress.port
        Jenkins.simRootUrl = scheme + '://' + listen.substring(0, colon) + ':' + port + contextPath + '/'

        SimClock.install()
        WORLD.writeLock().lock()
        try {
            boot(true)
        } finally {
            WORLD.writeLock().unlock()
        }
        warmUp()
        state = 'running'
        port
    }

    /** Binds listenAddress (the port fixed after the first bind) and serves. */
    private static void bindListener() {
        HttpServer s = httpsConfigurator != null ? HttpsServer.create(listenAddress, 128) : HttpServer.create(listenAddress, 128)
        if (s instanceof HttpsServer) {
            ((HttpsServer) s).setHttpsConfigurator(httpsConfigurator)
        }
        s.createContext('/') { HttpExchange ex -> handle(ex) }
        s.setExecutor(executor)
        // The server's dispatcher thread inherits the caller's context class loader: this one.
        Thread current = Thread.currentThread()
        ClassLoader before = current.contextClassLoader
        current.contextClassLoader = SimServer.classLoader
        try {
            s.start()
        } finally {
            current.contextClassLoader = before
        }
        server = s
        listenAddress = new InetSocketAddress(listenAddress.address, s.address.port)
    }

    /**
     * A controller that is down or cut off (false): the listener closes, so connections are
     * refused, and exchanges in progress are cut. true: it listens on the same port again, with
     * every state it had (nothing restarts). Called through the launcher's control channel
     * (Boot), which does not go through this listener.
     */
    static synchronized void setReachable(boolean reachable) {
        if (reachable && server == null) {
            bindListener()
        } else if (!reachable && server != null) {
            server.stop(0)
            server = null
        }
    }

    /** A new simulated JVM: fresh session hash and cookie name, statics reset, state from SimDisk. */
    static void boot(boolean wipe) {
        Jenkins.SESSION_HASH = hex(4)
        cookieName = 'JSESSIONID.' + hex(4)
        SESSIONS.clear()
        ApiTokenProperty.simResetSwitches()
        hudson.security.csrf.DefaultCrumbIssuer.simResetSwitches()
        jenkins.security.seed.UserSeedProperty.simResetSwitches()
        if (wipe) {
            SimDisk.clear()
        }
        Jenkins j = Jenkins.simBoot()
        ((HudsonPrivateSecurityRealm) j.securityRealm).simAddExternalUsers(REALM_USERS)
        REALM_PASSWORDS.each { id, pw -> ((HudsonPrivateSecurityRealm) j.securityRealm).simSetExternalPassword(id, pw) }
        REALM_ACCOUNTS.each { id, status -> ((HudsonPrivateSecurityRealm) j.securityRealm).simSetAccountStatus(id, status) }
        if (wipe) {
            ACLContext_with(ACL.SYSTEM2) {
                ((HudsonPrivateSecurityRealm) j.securityRealm).createAccount(adminId, adminPassword)
            }
        }
    }

    static Object ACLContext_with(org.springframework.security.core.Authentication a, Closure c) {
        def ctx = ACL.as2(a)
        try {
            return c.call()
        } finally {
            ctx.close()
        }
    }

    /** Compiles and runs one script so the first real script-console call is not slow. */
    static void warmUp() {
        ACLContext_with(ACL.SYSTEM2) {
            ScriptConsole.run('import jenkins.security.ApiTokenProperty\nimport jenkins.security.apitoken.*\n' +
                'def u = User.getById("' + 'sim-warmup' + '", false)\n' +
                'User.getAll().each { it.getProperty(ApiTokenProperty)?.getTokenStore()?.getTokenListSortedByName() }\n' +
                'groovy.json.JsonOutput.toJson([a: 1]); new groovy.json.JsonSlurper().parseText("{}")\n' +
                'ApiTokenPropertyConfiguration.get(); hudson.ExtensionList.lookupSingleton(LegacyApiTokenAdministrativeMonitor); null')
        }
    }

    static String hex(int bytes) {
        byte[] b = new byte[bytes]
        RANDOM.nextBytes(b)
        b.encodeHex().toString()
    }

    static SSLContext sslContext(String certFile, String keyFile) {
        CertificateFactory cf = CertificateFactory.getInstance('X.509')
        Collection<Certificate> chain = new File(certFile).withInputStream { cf.generateCertificates(it) }
        String pem = new File(keyFile).text
        String b64 = pem.replaceAll('-----[A-Z ]+-----', '').replaceAll('\\s', '')
        if (pem.contains('BEGIN RSA PRIVATE KEY') || pem.contains('BEGIN EC PRIVATE KEY')) {
            throw new IllegalArgumentException('--tls-key must be a PKCS#8 PEM ("BEGIN PRIVATE KEY")')
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(b64.decodeBase64())
        PrivateKey key = null
        for (String alg : ['RSA', 'EC', 'Ed25519']) {
            try {
                key = KeyFactory.getInstance(alg).generatePrivate(spec)
                break
            } catch (Exception ignored) {
                // try the next algorithm
            }
        }
        if (key == null) {
            throw new IllegalArgumentException('unsupported private key in ' + keyFile)
        }
        KeyStore ks = KeyStore.getInstance('PKCS12')
        ks.load(null, null)
        char[] pw = 'changeit'.toCharArray()
        ks.setKeyEntry('sim', key, pw, chain as Certificate[])
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm())
        kmf.init(ks, pw)
        SSLContext ctx = SSLContext.getInstance('TLS')
        ctx.init(kmf.keyManagers, null, null)
        ctx
    }

    // ---------------------------------------------------------------- request handling

    static void handle(HttpExchange ex) {
        try {
            dispatch(ex)
        } catch (Throwable t) {
            System.err.println('jenkins-sim: internal error on ' + ex.requestMethod + ' ' + ex.requestURI.rawPath + ': ' + t)
            try {
                send(ex, SimResponse.text(500, 'text/plain;charset=UTF-8', 'simulator internal error\n'))
            } catch (Throwable ignored) {
                // connection already broken
            }
        } finally {
            ex.close()
        }
    }

    static void count(String key) {
        STATS.computeIfAbsent(key) { new AtomicInteger() }.incrementAndGet()
    }

    static void dispatch(HttpExchange ex) {
        String raw = ex.requestURI.rawPath ?: '/'
        count('total')
        if (raw == '/__sim' || raw.startsWith('/__sim/')) {
            send(ex, control(ex, raw.substring('/__sim'.length())))
            return
        }
        raw = canonicalPath(raw)
        if (raw == null) {
            send(ex, SimResponse.error(400, 'Ambiguous URI path', ex.requestURI.rawPath))
            return
        }
        String rel
        if (contextPath) {
            if (raw == contextPath) {
                send(ex, SimResponse.redirect(contextPath + '/'))
                return
            }
            if (!raw.startsWith(contextPath + '/')) {
                send(ex, SimResponse.error(404, 'Not Found', raw))
                return
            }
            rel = raw.substring(contextPath.length())
        } else {
            rel = raw
        }
        count(routeOf(rel))
        Map fault = takeFault(rel)
        String mode = fault?.mode
        if (mode == 'refuse') {
            ex.close() // no response headers sent: the JDK server closes the connection
            return
        }
        if (mode == 'status') {
            SimResponse r = SimResponse.text((fault.status ?: 503) as int, 'text/plain;charset=UTF-8', 'simulated fault\n')
            if (fault.retry_after != null) {
                r.header('Retry-After', String.valueOf(fault.retry_after))
            }
            send(ex, withJenkinsHeaders(r))
            return
        }
        if (mode == 'delay') {
            Thread.sleep((fault.delay_ms ?: 0) as long)
        }
        SimRequest req = SimRequest.read(ex, rel)
        if (mode == 'hold') {
            // Read, then held: the request runs later whether or not the client is still there,
            // as a script queued in Jenkins does after its caller gave up.
            Thread.sleep((fault.delay_ms ?: 0) as long)
        }
        SimResponse resp
        WORLD.readLock().lock()
        try {
            resp = process(req)
        } finally {
            WORLD.readLock().unlock()
        }
        if (mode == 'drop_response') {
            ex.close() // processed fully; close without answering
            return
        }
        send(ex, resp)
    }

    /**
     * The servlet container's view of a request path (Jetty's URI compliance in Jenkins): dot
     * segments are resolved before any routing, so /user/./x is /user/x and /user/../x is /x;
     * encodings that would make a segment ambiguous (an encoded /, %, \ or dot segment, or a
     * bare \) and a ".." above the root are refused: null, answered with 400.
     */
    static String canonicalPath(String raw) {
        String lower = raw.toLowerCase(Locale.ENGLISH)
        if (lower.contains('%2f') || lower.contains('%25') || lower.contains('%5c') || raw.contains('\\')) {
            return null
        }
        List<String> out = []
        String[] segs = raw.split('/', -1)
        for (int i = 1; i < segs.length; i++) {
            String seg = segs[i]
            String l = seg.toLowerCase(Locale.ENGLISH)
            if (l.contains('%2e') && l.replace('%2e', '.').matches('\\.{1,2}')) {
                return null
            }
            if (seg == '.') {
                if (i == segs.length - 1) {
                    out.add('')
                }
            } else if (seg == '..') {
                if (out.isEmpty()) {
                    return null
                }
                out.remove(out.size() - 1)
                if (i == segs.length - 1) {
                    out.add('')
                }
            } else {
                out.add(seg)
            }
        }
        '/' + out.join('/')
    }

    /** Stats bucket of a Jenkins path. */
    static String routeOf(String rel) {
        List<String> seg = rel.split('/').findAll { it } as List<String>
        if (seg.isEmpty()) {
            return 'root'
        }
        switch (seg[0]) {
            case 'scriptText': return 'scriptText'
            case 'script': return 'script'
            case 'crumbIssuer': return 'crumbIssuer'
            case 'whoAmI': return 'whoAmI'
            case 'administrativeMonitor':
                return seg.size() > 2 && seg[2] == 'revokeAllSelected' ? 'revokeAllSelected' : 'administrativeMonitor'
            case 'api': return 'api'
            case 'user':
            case 'me':
                int d = seg.indexOf('descriptorByName')
                if (d >= 0 && seg.size() > d + 2) {
                    return seg[d + 2]
                }
                return seg.contains('api') ? 'userApi' : 'user'
            default: return 'other'
        }
    }

    static Map takeFault(String rel) {
        synchronized (FAULTS) {
            Iterator<Map> it = FAULTS.iterator()
            while (it.hasNext()) {
                Map f = it.next()
                if (rel.startsWith((String) f.path)) {
                    int skip = (f.skip ?: 0) as int
                    if (skip > 0) {
                        // Let this many matching requests through first.
                        f.skip = skip - 1
                        return null
                    }
                    int n = (f.count ?: 0) as int
                    if (n > 0) {
                        if (n == 1) {
                            it.remove()
                        } else {
                            f.count = n - 1
                        }
                    }
                    return f
                }
            }
        }
        null
    }

    static SimResponse withJenkinsHeaders(SimResponse r) {
        if (!r.headers.containsKey('X-Jenkins')) {
            r.header('X-Jenkins', Jenkins.VERSION)
            r.header('X-Jenkins-Session', Jenkins.SESSION_HASH)
        }
        r
    }

    static void send(HttpExchange ex, SimResponse r) {
        r.headers.each { String k, List<String> vs -> vs.each { ex.responseHeaders.add(k, it) } }
        if (r.contentType != null) {
            ex.responseHeaders.set('Content-Type', r.contentType)
        }
        boolean noBody = r.body.length == 0 || ex.requestMethod == 'HEAD'
        ex.sendResponseHeaders(r.status, noBody ? -1 : r.body.length)
        if (!noBody) {
            ex.responseBody.write(r.body)
        }
    }

    // ---------------------------------------------------------------- control endpoints

    static SimResponse control(HttpExchange ex, String path) {
        String method = ex.requestMethod
        byte[] body = ex.requestBody.bytes
        Map json = body.length == 0 ? [:] : (Map) new JsonSlurper().parse(body, 'UTF-8')
        switch (method + ' ' + path) {
            case 'POST /reset':
                WORLD.writeLock().lock()
                try {
                    restartGeneration++
                    FAULTS.clear()
                    REALM_USERS.clear()
                    REALM_PASSWORDS.clear()
                    REALM_ACCOUNTS.clear()
                    HudsonPrivateSecurityRealm.simSettleDirectoryUpdates()
                    HudsonPrivateSecurityRealm.simDirectory = startDirectory
                    HudsonPrivateSecurityRealm.simDirectoryMail = true
                    SimLatency.reset()
                    SimClock.offsetDays = 0
                    boot(true)
                    state = 'running'
                } finally {
                    WORLD.writeLock().unlock()
                }
                return ok([status: 'ok'])
            case 'GET /stats':
                Map<String, Integer> m = new TreeMap<String, Integer>()
                ['scriptText', 'revoke', 'generateNewToken', 'crumbIssuer', 'total'].each { m.put(it, 0) }
                STATS.each { k, v -> m.put(k, v.get()) }
                return ok(m)
            case 'POST /stats/reset':
            case 'DELETE /stats':
                STATS.clear()
                return ok([status: 'ok'])
            case 'GET /audit-log':
                return ok(ScriptAudit.log())
            case 'GET /audit-log/leaks':
                return ok(ScriptAudit.report())
            case 'GET /faults':
                synchronized (FAULTS) {
                    return ok([faults: new ArrayList(FAULTS)])
                }
            case 'POST /faults':
                String mode = json.mode
                if (!(mode in ['status', 'delay', 'hold', 'drop_response', 'refuse']) || !(json.path instanceof String)) {
                    return SimResponse.text(400, 'application/json;charset=UTF-8', JsonOutput.toJson([error: 'need path and mode status|delay|hold|drop_response|refuse']))
                }
                if (json.skip != null && !(json.skip instanceof Integer && (json.skip as int) >= 0)) {
                    return SimResponse.text(400, 'application/json;charset=UTF-8', JsonOutput.toJson([error: 'skip is a number of requests, 0 or more']))
                }
                FAULTS.add(new LinkedHashMap(json))
                return ok([status: 'ok'])
            case 'DELETE /faults':
                FAULTS.clear()
                return ok([status: 'ok'])
            case 'POST /restart':
                return restart(((json.seconds ?: 0) as Number).doubleValue())
            case 'GET /health':
                return ok([state: state, version: Jenkins.VERSION])
            case 'POST /clock':
                SimClock.offsetDays = ((json.offset_days ?: 0) as Number).longValue()
                return ok([status: 'ok', today: SimClock.today().toString()])
            case 'DELETE /sessions':
                // Every HTTP session ends, as when they time out on the controller: crumbs
                // bound to them stop working, cookies name sessions that no longer exist.
                SESSIONS.clear()
                return ok([status: 'ok'])
            case 'POST /legacy-user':
                if (!(json.id instanceof String) || ((String) json.id).trim().isEmpty() ||
                    (json.password != null && !(json.password instanceof String))) {
                    return SimResponse.text(400, 'application/json;charset=UTF-8', JsonOutput.toJson([error: 'need {"id": "...", "password": "..." (optional)}']))
                }
                WORLD.readLock().lock()
                try {
                    return ok(ACLContext_with(ACL.SYSTEM2) { legacyUser((String) json.id, (String) json.password) } as Map)
                } finally {
                    WORLD.readLock().unlock()
                }
            case 'POST /login':
                // A web login (form or SSO) of json.id: SecurityListener.fireLoggedIn, i.e.
                // LastGrantedAuthoritiesProperty.SecurityListenerImpl.loggedIn. json.authorities:
                // what the realm granted at this login (its groups), as an SSO realm builds them;
                // absent, what the simulated realm's lookup grants.
                if (!(json.id instanceof String) || ((String) json.id).trim().isEmpty() ||
                    (json.authorities != null && !(json.authorities instanceof List && ((List) json.authorities).every { it instanceof String }))) {
                    return SimResponse.text(400, 'application/json;charset=UTF-8', JsonOutput.toJson([error: 'need {"id": "...", "authorities": ["..."] (optional)}']))
                }
                WORLD.readLock().lock()
                try {
                    return ok(ACLContext_with(ACL.SYSTEM2) { webLogin((String) json.id, (List<String>) json.authorities) } as Map)
                } finally {
                    WORLD.readLock().unlock()
                }
            case 'DELETE /realm-users':
                // The directory no longer knows these ids; their Jenkins records stay.
                List<String> gone = (json.ids ?: []) as List<String>
                REALM_USERS.removeAll(gone)
                gone.each { REALM_PASSWORDS.remove(it) }
                WORLD.readLock().lock()
                try {
                    Jenkins j = Jenkins.getInstanceOrNull()
                    if (j != null) {
                        ((HudsonPrivateSecurityRealm) j.securityRealm).simRemoveExternalUsers(gone)
                    }
                } finally {
                    WORLD.readLock().unlock()
                }
                return ok([status: 'ok'])
            case 'POST /realm-directory':
                // {"mode": "none"|"ldap"|"active-directory", "mail": bool}: what the realm's
                // lookups write (HudsonPrivateSecurityRealm.simDirectory). {"settle": true} waits
                // for the active-directory updates already queued. Kept across restarts, as the
                // realm's configuration is; POST /reset returns to --realm-directory.
                if (json.settle == true) {
                    HudsonPrivateSecurityRealm.simSettleDirectoryUpdates()
                    return ok([status: 'ok'])
                }
                if (!(json.mode in HudsonPrivateSecurityRealm.SIM_DIRECTORIES) || (json.mail != null && !(json.mail instanceof Boolean))) {
                    return SimResponse.text(400, 'application/json;charset=UTF-8', JsonOutput.toJson([error: 'need {"mode": "' +
                        HudsonPrivateSecurityRealm.SIM_DIRECTORIES.join('|') + '", "mail": true|false} or {"settle": true}']))
                }
                HudsonPrivateSecurityRealm.simSettleDirectoryUpdates()
                HudsonPrivateSecurityRealm.simDirectory = (String) json.mode
                HudsonPrivateSecurityRealm.simDirectoryMail = json.mail == null ? true : (boolean) json.mail
                return ok([status: 'ok'])
            case 'GET /latency':
                return ok(SimLatency.describe())
            case 'POST /latency':
                // {"realm_ms": N, "save_ms": N} (either may be absent: unchanged): how long each
                // realm lookup (a directory round trip) and each save of a user record (a slow
                // disk) take from now on, requests already running included. Kept across
                // restarts, as the directory and the disk are; POST /reset returns to the start
                // options (--realm-latency, --save-latency).
                Long realm = json.containsKey('realm_ms') ? SimLatency.nanosOf(json.realm_ms) : SimLatency.realmNanos
                Long save = json.containsKey('save_ms') ? SimLatency.nanosOf(json.save_ms) : SimLatency.saveNanos
                if (realm == null || save == null) {
                    return SimResponse.text(400, 'application/json;charset=UTF-8', JsonOutput.toJson([error: 'need {"realm_ms": N, "save_ms": N}, milliseconds from 0 to 3600000']))
                }
                SimLatency.realmNanos = realm
                SimLatency.saveNanos = save
                return ok(SimLatency.describe())
            case 'POST /realm-accounts':
                // The directory's state of an account: disabled, locked, expired (account) or
                // credentials_expired make the ldap plugin's lookup throw the matching Spring
                // AccountStatusException; unavailable and data_access_failure make the lookup of
                // this id fail as a directory outage does; active clears it.
                if (!(json.id instanceof String) || ((String) json.id).isEmpty() ||
                    !(json.status in HudsonPrivateSecurityRealm.SIM_ACCOUNT_STATUSES)) {
                    return SimResponse.text(400, 'application/json;charset=UTF-8', JsonOutput.toJson([error: 'need {"id": "...", "status": "' +
                        HudsonPrivateSecurityRealm.SIM_ACCOUNT_STATUSES.join('|') + '"}']))
                }
                WORLD.readLock().lock()
                try {
                    if (json.status == 'active') {
                        REALM_ACCOUNTS.remove((String) json.id)
                    } else {
                        REALM_ACCOUNTS.put((String) json.id, (String) json.status)
                    }
                    Jenkins j = Jenkins.getInstanceOrNull()
                    if (j != null) {
                        ((HudsonPrivateSecurityRealm) j.securityRealm).simSetAccountStatus((String) json.id, (String) json.status)
                    }
                } finally {
                    WORLD.readLock().unlock()
                }
                return ok([status: 'ok'])
            case 'POST /realm-users':
                // json.password (optional): the directory accepts it for these ids.
                List<String> ids = (json.ids ?: []) as List<String>
                if (json.password != null && !(json.password instanceof String)) {
                    return SimResponse.text(400, 'application/json;charset=UTF-8', JsonOutput.toJson([error: 'need {"ids": [...], "password": "..." (optional)}']))
                }
                REALM_USERS.addAll(ids)
                if (json.password != null) {
                    ids.each { REALM_PASSWORDS.put(it, (String) json.password) }
                }
                WORLD.readLock().lock()
                try {
                    Jenkins j = Jenkins.getInstanceOrNull()
                    if (j != null) {
                        ((HudsonPrivateSecurityRealm) j.securityRealm).simAddExternalUsers(ids)
                        if (json.password != null) {
                            ids.each { ((HudsonPrivateSecurityRealm) j.securityRealm).simSetExternalPassword(it, (String) json.password) }
                        }
                    }
                } finally {
                    WORLD.readLock().unlock()
                }
                return ok([status: 'ok'])
            default:
                return SimResponse.text(404, 'application/json;charset=UTF-8', JsonOutput.toJson([error: 'no such control endpoint']))
        }
    }

    /**
     * A user as a Jenkins older than 2.129 left it: config.xml holds the legacy token seed and no
     * token store. Written to the simulated disk, then loaded as at startup, so setUser builds the
     * legacy token with a fresh random UUID and no statistics; every restart does it again until
     * something saves the user (JENKINS.md 13; ApiTokenProperty.setUser in Jenkins).
     */
    static Map legacyUser(String id, String password) {
        byte[] seedBytes = new byte[16]
        RANDOM.nextBytes(seedBytes)
        String seed = seedBytes.encodeHex().toString()
        List<hudson.model.UserProperty> props = [new ApiTokenProperty(seed)]
        if (password != null) {
            props.add(HudsonPrivateSecurityRealm.Details.fromPlainPassword(password))
        }
        User u = User.simLoadOldRecord(id, props)
        ApiTokenProperty p = u.getProperty(ApiTokenProperty)
        [id: u.id, uuid: p.tokenStore.legacyToken.uuid,
         token: java.security.MessageDigest.getInstance('MD5').digest(seed.getBytes('UTF-8')).encodeHex().toString()]
    }

    /**
     * LastGrantedAuthoritiesProperty.SecurityListenerImpl.loggedIn (LastGrantedAuthoritiesProperty.java:118-131),
     * for a login as id whose Authentication holds granted (null: what the realm's lookup grants,
     * or only "authenticated" when it cannot look the user up).
     */
    static Map webLogin(String id, List<String> granted) {
        User u = User.getById(id, true)
        jenkins.security.LastGrantedAuthoritiesProperty p = u.getProperty(jenkins.security.LastGrantedAuthoritiesProperty)
        if (p == null) {
            p = new jenkins.security.LastGrantedAuthoritiesProperty()
            u.addProperty(p)
        }
        List<String> authorities = ['authenticated']
        if (granted != null) {
            authorities = new ArrayList<String>(granted)
        } else {
            try {
                authorities = new ArrayList<String>(Jenkins.get().securityRealm.simLoadUser(u.id).authorities)
            } catch (RuntimeException ignored) {
                // a realm that cannot look the user up: only "authenticated"
            }
        }
        p.update(new org.springframework.security.authentication.UsernamePasswordAuthenticationToken(u.id, authorities))
        [id: u.id, timestamp: p.@timestamp]
    }

    static SimResponse ok(Map m) {
        SimResponse.text(200, 'application/json;charset=UTF-8', JsonOutput.toJson(m))
    }

    /** 503 from now on; the world reloads from SimDisk; back to running after `seconds`. */
    static SimResponse restart(double seconds) {
        int gen
        WORLD.writeLock().lock()
        try {
            gen = ++restartGeneration
            state = 'restarting'
            Jenkins.simShutdown()
        } finally {
            WORLD.writeLock().unlock()
        }
        long until = System.currentTimeMillis() + (long) (seconds * 1000)
        Thread t = new Thread({
            WORLD.writeLock().lock()
            try {
                boot(false)
            } catch (Throwable e) {
                System.err.println('jenkins-sim: restart failed: ' + e)
                e.printStackTrace()
            } finally {
                WORLD.writeLock().unlock()
            }
            long wait = until - System.currentTimeMillis()
            if (wait > 0) {
                Thread.sleep(wait)
            }
            if (restartGeneration == gen) {
                state = 'running'
            }
        } as Runnable, 'sim-restart')
        t.daemon = true
        t.start()
        ok([status: 'restarting'])
    }

    // ---------------------------------------------------------------- Jenkins behaviour

    static SimResponse process(SimRequest req) {
        if (state != 'running' || Jenkins.getInstanceOrNull() == null) {
            return withJenkinsHeaders(Pages.unavailable(state == 'restarting'))
        }
        SimContext.setLocale(req.locale())
        SimContext.setRootUrl(scheme + '://' + (req.header('Host') ?: 'localhost') + contextPath + '/')
        org.kohsuke.stapler.Stapler.simSetCurrentRequest(req)
        try {
            return JenkinsRoutes.serve(req)
        } finally {
            org.kohsuke.stapler.Stapler.simSetCurrentRequest(null)
            SimContext.setLocale(null)
            SimContext.setRootUrl(null)
        }
    }
}
