package jenkins.model

import hudson.ExtensionList
import hudson.model.AdministrativeMonitor
import hudson.model.Descriptor
import hudson.model.Hudson
import hudson.model.User
import hudson.security.ACL
import hudson.security.AuthorizationStrategy
import hudson.security.HudsonPrivateSecurityRealm
import hudson.security.Permission
import hudson.security.SecurityRealm
import hudson.security.csrf.CrumbIssuer
import hudson.security.csrf.DefaultCrumbIssuer
import jenkins.security.ApiTokenProperty
import jenkins.security.apitoken.ApiTokenPropertyConfiguration
import jenkins.security.apitoken.LegacyApiTokenAdministrativeMonitor
import jenkins.security.seed.UserSeedProperty
import jenkinssim.SimDisk
import org.springframework.security.core.Authentication

import java.util.concurrent.ConcurrentHashMap

// The running Jenkins: one instance per simulated JVM start. A restart replaces it with a new
// instance that loads what is on SimDisk.
class Jenkins {
    static String VERSION = '2.579'
    static String SESSION_HASH = '00000000'

    static final Permission ADMINISTER = Permission.HUDSON_ADMINISTER
    static final Permission READ = new Permission('hudson.model.Hudson.Read', 'Overall', 'Read', Permission.GenericRead)
    static final Permission MANAGE = new Permission('hudson.model.Hudson.Manage', 'Overall', 'Manage', ADMINISTER)
    static final Permission SYSTEM_READ = new Permission('jenkins.model.Jenkins.SystemRead', 'Overall', 'SystemRead', ADMINISTER)
    @Deprecated
    static final Permission RUN_SCRIPTS = new Permission('hudson.model.Hudson.RunScripts', 'Overall', 'RunScripts', ADMINISTER)

    private static volatile Jenkins theInstance

    /** Set by the server: the admin id from the command line and the public root URL. */
    static volatile String simAdminId = 'admin'
    static volatile String simRootUrl = 'http://localhost:8080/'
    /** The plugins reported as installed ("shortName:version"), from --plugins. */
    static volatile List<String> simPlugins = []

    final Map<String, User> simUsers = new ConcurrentHashMap<String, User>()
    final List<AdministrativeMonitor> administrativeMonitors
    private final List<Object> extensions
    private volatile SecurityRealm securityRealm = new HudsonPrivateSecurityRealm()
    private volatile AuthorizationStrategy authorizationStrategy = new AuthorizationStrategy()
    private volatile CrumbIssuer crumbIssuer = new DefaultCrumbIssuer()
    public final transient hudson.PluginManager pluginManager = new hudson.LocalPluginManager(simPlugins)

    protected Jenkins() {
        ApiTokenPropertyConfiguration config = ApiTokenPropertyConfiguration.simLoad()
        LegacyApiTokenAdministrativeMonitor legacy = new LegacyApiTokenAdministrativeMonitor()
//#if >=2.543
        AdministrativeMonitor excludeSessionId = new DefaultCrumbIssuer.ExcludeSessionIdAdministrativeMonitor()
        administrativeMonitors = Collections.unmodifiableList([legacy, excludeSessionId] as List<AdministrativeMonitor>)
        List<Object> ext = [new ApiTokenProperty.DescriptorImpl(), new UserSeedProperty.DescriptorImpl(), config, legacy, new DefaultCrumbIssuer.DescriptorImpl(),
                            excludeSessionId] as List<Object>
//#else
        administrativeMonitors = Collections.unmodifiableList([legacy] as List<AdministrativeMonitor>)
        List<Object> ext = [new ApiTokenProperty.DescriptorImpl(), new UserSeedProperty.DescriptorImpl(), config, legacy, new DefaultCrumbIssuer.DescriptorImpl()] as List<Object>
//#end
//#if >=2.427
        ext.add(new jenkins.util.DefaultScriptListener())
//#end
        extensions = Collections.unmodifiableList(ext)
        byte[] saved = SimDisk.files.get('config.xml')
        if (saved != null) {
            Map<String, Object> cfg = (Map<String, Object>) SimDisk.deserialize(saved)
            if (cfg.crumbIssuer == null) {
                crumbIssuer = null
            }
        }
    }

    /** Boots a fresh instance from SimDisk (JVM start or restart). */
    static Jenkins simBoot() {
        theInstance = null
        Jenkins j = new Hudson()
        theInstance = j
        j.simLoadUsers()
        j
    }

    /** Drops the instance: Jenkins.get() fails while "restarting". */
    static void simShutdown() { theInstance = null }

    void simLoadUsers() {
        simUsers.clear()
        SimDisk.users.each { String key, byte[] data ->
            simUsers.put(key, User.simFromSnapshot(data))
        }
    }

    boolean isSimAdmin(String name) { User.idStrategy().equals(simAdminId, name) }

    // ---- singleton access ----

    static Jenkins get() throws IllegalStateException {
        Jenkins j = theInstance
        if (j == null) {
            throw new IllegalStateException('Jenkins.instance is missing. Read the documentation of Jenkins.getInstanceOrNull to see what you are doing wrong.')
        }
        j
    }

    static Jenkins getInstanceOrNull() { theInstance }

    @Deprecated
    static Jenkins getInstance() { get() }

    @Deprecated
    static Jenkins getActiveInstance() { get() }

    static Authentication getAuthentication2() { ACL.current() }

    // ---- security ----

    SecurityRealm getSecurityRealm() { securityRealm }

    void setSecurityRealm(SecurityRealm realm) { securityRealm = realm }

    AuthorizationStrategy getAuthorizationStrategy() { authorizationStrategy }

    CrumbIssuer getCrumbIssuer() {
        Boolean.getBoolean('hudson.security.csrf.GlobalCrumbIssuerConfiguration.DISABLE_CSRF_PROTECTION') ? null : crumbIssuer
    }

    void setCrumbIssuer(CrumbIssuer issuer) { crumbIssuer = issuer }

    ACL getACL() { authorizationStrategy.rootACL }

    boolean hasPermission(Permission p) { getACL().hasPermission(p) }

    boolean hasPermission2(Authentication a, Permission p) { getACL().hasPermission2(a, p) }

    void checkPermission(Permission p) { getACL().checkPermission(p) }

    boolean isUseSecurity() { true }

    boolean isUseCrumbs() { crumbIssuer != null }

    /** Persists the global configuration (here: whether CSRF protection is on). */
    void save() throws IOException {
        SimDisk.files.put('config.xml', SimDisk.serialize([crumbIssuer: crumbIssuer == null ? null : 'standard'] as HashMap))
    }

    // ---- users ----

    User getUser(String name) {
        User.get(name, User.ALLOW_USER_CREATION_VIA_URL && hasPermission(ADMINISTER), Collections.emptyMap())
    }

    User getMe() {
        User u = User.current()
        if (u == null) {
            throw new org.springframework.security.access.AccessDeniedException('/me is not available when not logged in')
        }
        u
    }

    // ---- extensions ----

    public <T> ExtensionList<T> getExtensionList(Class<T> type) {
        new ExtensionList<T>(type, (Collection<T>) extensions.findAll { type.isInstance(it) })
    }

    public <T extends Descriptor> T getDescriptorByType(Class<T> type) {
        (T) extensions.find { type.isInstance(it) }
    }

    Descriptor getDescriptor(String id) {
        List<Descriptor> ds = extensions.findAll { it instanceof Descriptor } as List<Descriptor>
        Descriptor exact = ds.find { it.id == id }
        if (exact != null) {
            return exact
        }
        List<Descriptor> bySimpleName = ds.findAll { it.id.substring(it.id.lastIndexOf('.') + 1) == id }
        bySimpleName.size() == 1 ? bySimpleName[0] : null
    }

    Descriptor getDescriptorByName(String id) { getDescriptor(id) }

    Descriptor getDescriptor(Class type) { getDescriptorByType(type) }

    AdministrativeMonitor getAdministrativeMonitor(String id) {
        administrativeMonitors.find { it.id == id }
    }

    List<AdministrativeMonitor> getAdministrativeMonitors() { administrativeMonitors }

    // ---- plugins ----

    hudson.PluginManager getPluginManager() { pluginManager }

    /** The plugin's singleton (its wrapper's getPlugin()), or null when it is not installed. */
    hudson.Plugin getPlugin(String shortName) {
        hudson.PluginWrapper p = pluginManager.getPlugin(shortName)
        if (p == null) {
            return null
        }
        p.getPlugin()
    }

    // ---- misc ----

    File getRootDir() { new File('/var/jenkins_home') }

    /** Deprecated in Jenkins: the instance's random secret.key, stable across restarts. */
    @Deprecated
    String getSecretKey() { SimDisk.secret('secret.key') }

    String getRootUrl() { jenkinssim.SimContext.rootUrl() ?: simRootUrl }

    String getRootUrlFromRequest() { getRootUrl() }

    /** Jenkins's signature: static, a VersionNumber. */
    static hudson.util.VersionNumber getVersion() { new hudson.util.VersionNumber(VERSION) }

    String getDisplayName() { 'Jenkins' }

    String getSystemMessage() { null }

    boolean isQuietingDown() { false }
}
