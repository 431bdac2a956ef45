package hudson.model

import hudson.security.ACL
import hudson.security.AccessDeniedException3
import hudson.security.Permission
import hudson.security.UserMayOrMayNotExistException2
import jenkins.model.IdStrategy
import jenkins.model.Jenkins
import jenkinssim.SimDisk
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken
import org.springframework.security.core.Authentication
import org.springframework.security.core.userdetails.UserDetails
import org.springframework.security.core.userdetails.UsernameNotFoundException

import java.util.concurrent.CopyOnWriteArrayList

// A Jenkins user. In memory in Jenkins.simUsers (keyed by IdStrategy.keyFor); save() writes a
// deep snapshot to SimDisk, which a simulated restart loads back through setUser.
class User implements Serializable, Saveable {
    static boolean ALLOW_USER_CREATION_VIA_URL = Boolean.getBoolean('hudson.model.User.allowUserCreationViaUrl')
    static boolean ALLOW_NON_EXISTENT_USER_TO_LOGIN = Boolean.getBoolean('hudson.model.User.allowNonExistentUserToLogin')
    static boolean SKIP_PERMISSION_CHECK = Boolean.getBoolean('hudson.model.User.skipPermissionCheck')

    private final String id
    private volatile String fullName
    private volatile String description
    private volatile List<UserProperty> properties = new CopyOnWriteArrayList<UserProperty>()
    private transient volatile boolean saved

    private User(String id, String fullName) {
        this.id = id
        this.fullName = fullName
    }

    // ---- lookup ----

    static IdStrategy idStrategy() {
        Jenkins j = Jenkins.getInstanceOrNull()
        (j == null || j.securityRealm == null) ? IdStrategy.CASE_INSENSITIVE : j.securityRealm.userIdStrategy
    }

    static User getById(String id, boolean create) {
        if (id == null) {
            return null
        }
        Map<String, User> users = Jenkins.get().simUsers
        String key = idStrategy().keyFor(id)
        User u = users.get(key)
        if (u == null && create) {
            User fresh = new User(id, id)
            fresh.allocateDefaultPropertyInstancesAsNeeded()
            u = users.putIfAbsent(key, fresh) ?: fresh
        }
        u
    }

    static User get(String idOrFullName, boolean create, Map context) {
        if (idOrFullName == null) {
            return null
        }
        User u = getById(idOrFullName, false)
        if (u != null) {
            return u
        }
        String id = idOrFullName
        Jenkins j = Jenkins.get()
        boolean realmKnows = false
        try {
            j.securityRealm.simLoadUser(idOrFullName)
            realmKnows = true
        } catch (RuntimeException ignored) {
            // not a realm user name: try full names next
        }
        if (!realmKnows) {
            User byName = getAll().find { it.fullName == idOrFullName }
            if (byName != null) {
                return byName
            }
            id = idOrFullName.replaceAll('[\\\\/<>]', '_')
        }
        getById(id, create)
    }

    @Deprecated
    static User get(String idOrFullName, boolean create) { get(idOrFullName, create, Collections.emptyMap()) }

    @Deprecated
    static User get(String idOrFullName) { getOrCreateByIdOrFullName(idOrFullName) }

    static User getOrCreateByIdOrFullName(String idOrFullName) { get(idOrFullName, true, Collections.emptyMap()) }

    static User current() { get2(Jenkins.getAuthentication2()) }

    static User get2(Authentication a) {
        (a == null || ACL.isAnonymous2(a)) ? null : getById(a.name, true)
    }

    static Collection<User> getAll() {
        List<User> all = new ArrayList<User>(Jenkins.get().simUsers.values())
        IdStrategy s = idStrategy()
        all.sort { User a, User b -> s.compare(a.id, b.id) }
        all
    }

    static User getUnknown() { getById('unknown', true) }

    static boolean isIdOrFullnameAllowed(String id) {
        if (id == null || id.trim().isEmpty()) {
            return false
        }
        String t = id.trim()
        !['anonymous', 'system', 'unknown'].contains(t.toLowerCase(Locale.ENGLISH))
    }

    /** Drops every in-memory user and loads the saved ones again (Beta API in Jenkins). */
    static void reload() { Jenkins.get().simLoadUsers() }

    // ---- loading ----

    /** Restores a saved snapshot: the load path of Jenkins (properties get setUser). */
    static User simFromSnapshot(byte[] data) {
        User u = (User) SimDisk.deserialize(data)
        u.@saved = true
        // .@ because u.properties would call getProperties() (the descriptor map).
        u.@properties.each { UserProperty p -> p.setUser(u) }
        u.allocateDefaultPropertyInstancesAsNeeded()
        u
    }

    /**
     * Simulator hook: writes a config.xml for id holding exactly props, as an older Jenkins wrote
     * it (nothing runs setUser on them first), then loads it as Jenkins does at startup.
     */
    static User simLoadOldRecord(String id, List<UserProperty> props) {
        User old = new User(id, id)
        old.@properties = new CopyOnWriteArrayList<UserProperty>(props)
        String key = idStrategy().keyFor(id)
        SimDisk.users.put(key, SimDisk.serialize(old))
        SimDisk.tokenStats.remove(key)
        User u = simFromSnapshot(SimDisk.users.get(key))
        Jenkins.get().simUsers.put(key, u)
        u
    }

    private void allocateDefaultPropertyInstancesAsNeeded() {
        for (UserPropertyDescriptor d : UserProperty.all()) {
            if (getProperty(d.t) == null) {
                UserProperty p = d.newInstance(this)
                if (p != null) {
                    p.setUser(this)
                    properties.add(p)
                }
            }
        }
    }

    // ---- accessors ----

    String getId() { id }

    String getFullName() { fullName }

    void setFullName(String name) {
        fullName = (name == null || name.trim().isEmpty()) ? id : name.trim()
    }

    String getDescription() { description }

    void setDescription(String d) { description = d }

    String getDisplayName() { getFullName() }

    String getUrl() { 'user/' + rawEncode(idStrategy().keyFor(id)) }

    String getSearchUrl() { '/user/' + rawEncode(idStrategy().keyFor(id)) }

    String getAbsoluteUrl() { Jenkins.get().getRootUrl() + getUrl() }

    String toString() { fullName }

    static String rawEncode(String s) {
        URLEncoder.encode(s, 'UTF-8').replace('+', '%20')
    }

    public <T extends UserProperty> T getProperty(Class<T> clazz) {
        (T) properties.find { clazz.isInstance(it) }
    }

    Map<Descriptor<UserProperty>, UserProperty> getProperties() {
        Map<Descriptor<UserProperty>, UserProperty> m = new LinkedHashMap<Descriptor<UserProperty>, UserProperty>()
        properties.each { UserProperty p ->
            Descriptor d = p.getDescriptor()
            if (d != null) {
                m.put(d, p)
            }
        }
        Collections.unmodifiableMap(m)
    }

    List<UserProperty> getAllProperties() {
        hasPermission(Jenkins.ADMINISTER) ? Collections.unmodifiableList(new ArrayList<UserProperty>(properties)) : Collections.<UserProperty>emptyList()
    }

    synchronized void addProperty(UserProperty p) throws IOException {
        UserProperty old = getProperty(p.getClass())
        List<UserProperty> ps = new CopyOnWriteArrayList<UserProperty>(properties)
        if (old != null) {
            ps.remove(old)
        }
        ps.add(p)
        p.setUser(this)
        properties = ps
        save()
    }

    synchronized void addProperties(List<UserProperty> multipleProperties) throws IOException {
        for (UserProperty p : multipleProperties) {
            UserProperty old = getProperty(p.getClass())
            if (old != null) {
                properties.remove(old)
            }
            p.setUser(this)
            properties.add(p)
        }
        save()
    }

    // ---- persistence ----

    synchronized void save() throws IOException {
        // Messages User.IllegalUsername / User.IllegalFullname, thrown as FormValidation.error.
        if (!isIdOrFullnameAllowed(id)) {
            throw hudson.util.FormValidation.error('"' + id + '" is prohibited as a username for security reasons.')
        }
        if (!isIdOrFullnameAllowed(fullName)) {
            throw hudson.util.FormValidation.error('"' + fullName + '" is prohibited as a full name for security reasons.')
        }
        // The write to a slow disk or NFS share (--save-latency), under the user's monitor as
        // Jenkins's synchronized save holds it while XmlFile writes config.xml.
        jenkinssim.SimLatency.userSave()
        SimDisk.users.put(idStrategy().keyFor(id), SimDisk.serialize(this))
        saved = true
        hudson.model.listeners.SaveableListener.fireOnChange(this, null)
    }

    /** Re-reads this user's saved snapshot into this object, as Jenkins's User.load(). */
    synchronized void load() {
        byte[] data = SimDisk.users.get(idStrategy().keyFor(id))
        if (data != null) {
            User copy = simFromSnapshot(data)
            fullName = copy.fullName
            description = copy.description
            properties = new CopyOnWriteArrayList<UserProperty>(copy.@properties)
            for (UserProperty p : properties) {
                p.setUser(this)
            }
        }
    }

    void delete() throws IOException {
        String key = idStrategy().keyFor(id)
        Jenkins.get().simUsers.remove(key)
        SimDisk.users.remove(key)
        SimDisk.tokenStats.remove(key)
        saved = false
    }

    boolean canDelete() {
        Jenkins.get().hasPermission(Jenkins.ADMINISTER) && !idStrategy().equals(id, Jenkins.getAuthentication2().name)
    }

    /** Null until the first save, as in Jenkins since 2.129. */
    File getUserFolder() {
        if (!saved) {
            return null
        }
        String prefix = id.replaceAll('[^A-Za-z0-9]', '').toLowerCase(Locale.ENGLISH)
        prefix = prefix.length() > 14 ? prefix.substring(0, 14) : prefix
        String hmac = jenkins.security.HMACConfidentialKey.of('hudson.model.User.DIRNAMES', 32).mac(idStrategy().keyFor(id))
        new File(new File(Jenkins.get().rootDir, 'users'), prefix + '_' + hmac)
    }

    boolean simIsSaved() { saved }

    // ---- security ----

    /**
     * User.getUserDetailsForImpersonation2 (User.java:450-471 at 2.579): the realm's lookup through
     * ImpersonatingUserDetailsService2, which answers a UserMayOrMayNotExistException2 with the
     * authorities LastGrantedAuthoritiesProperty recorded at the user's last web login
     * (ImpersonatingUserDetailsService2.java:30-44; only "authenticated" once invalidated,
     * LastGrantedAuthoritiesProperty.java:58-59); without that record, LegitimateButUnknownUserDetails
     * with only "authenticated". A UsernameNotFoundException passes only with
     * ALLOW_NON_EXISTENT_USER_TO_LOGIN; any other exception passes through.
     */
    UserDetails getUserDetailsForImpersonation2() throws UsernameNotFoundException {
        try {
            try {
                return Jenkins.get().securityRealm.simUserDetailsService(id)
            } catch (UserMayOrMayNotExistException2 e) {
                // ImpersonatingUserDetailsService2.attemptToImpersonate
                User u = getById(id, false)
                jenkins.security.LastGrantedAuthoritiesProperty p = u == null ? null : u.getProperty(jenkins.security.LastGrantedAuthoritiesProperty)
                if (p != null) {
                    return new org.springframework.security.core.userdetails.User(id, '', new ArrayList<String>(p.getAuthorities2()))
                }
                throw e
            }
        } catch (UserMayOrMayNotExistException2 e) {
            // minimum access
        } catch (UsernameNotFoundException e) {
            if (!ALLOW_NON_EXISTENT_USER_TO_LOGIN) {
                throw e
            }
        }
        new org.springframework.security.core.userdetails.User(id, '', ['authenticated'])
    }

    Authentication impersonate2() {
        List<String> authorities = ['authenticated']
        try {
            UserDetails d = getUserDetailsForImpersonation2()
            authorities = new ArrayList<String>(d.authorities)
        } catch (RuntimeException ignored) {
            // Jenkins also impersonates users the realm does not know, with only "authenticated".
        }
        new UsernamePasswordAuthenticationToken(id, authorities)
    }

    hudson.security.ACL getACL() { Jenkins.get().authorizationStrategy.getACL(this) }

    boolean hasPermission(Permission p) { getACL().hasPermission(p) }

    boolean hasPermission2(Authentication a, Permission p) { getACL().hasPermission2(a, p) }

    void checkPermission(Permission p) {
        Authentication a = Jenkins.getAuthentication2()
        if (!getACL().hasPermission2(a, p)) {
            throw new AccessDeniedException3(a, p)
        }
    }
}
