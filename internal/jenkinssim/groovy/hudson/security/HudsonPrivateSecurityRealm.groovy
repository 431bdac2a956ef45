package hudson.security

import hudson.model.User
import hudson.model.UserProperty
import jenkins.model.IdStrategy
import jenkins.model.Jenkins
import org.springframework.dao.DataAccessResourceFailureException
import org.springframework.security.authentication.AccountExpiredException
import org.springframework.security.authentication.AuthenticationServiceException
import org.springframework.security.authentication.CredentialsExpiredException
import org.springframework.security.authentication.DisabledException
import org.springframework.security.authentication.LockedException
import org.springframework.security.core.userdetails.UserDetails
import org.springframework.security.core.userdetails.UsernameNotFoundException

import java.security.MessageDigest
import java.security.SecureRandom

// Jenkins's own user database. Passwords live in the user's Details property, as in Jenkins
// (salted SHA-256 here instead of bcrypt: the hash is never visible over HTTP).
// The simulator adds "external" ids: users an LDAP/SSO realm would know without a User record.
class HudsonPrivateSecurityRealm extends SecurityRealm {
    /**
     * The user id strategy (--id-strategy). Jenkins's own database is case-insensitive; LDAP and
     * other realms can be configured case-sensitive, so the simulator lets tests choose.
     */
    static IdStrategy simIdStrategy = IdStrategy.CASE_INSENSITIVE

    /**
     * --realm-lookup unsupported: the realm stands for one that cannot look users up (many SSO
     * realms): every lookup answers UserMayOrMayNotExistException2. Passwords still log in, so
     * tests keep an admin.
     */
    static boolean simLookupSupported = true

    /**
     * --realm-directory (POST /__sim/realm-directory): what the realm's public lookup
     * (loadUserByUsername2) writes, as the directory realm plugins do:
     * - "ldap": LDAPSecurityRealm.updateUserDetails (ldap plugin, LDAPSecurityRealm.java:768-810)
     *   runs on the request thread after every lookup: User.get(id, true) (a user record in
     *   memory for an id Jenkins had none of), the directory's display name as full name while the
     *   full name is the id (in memory), and, when the directory holds a mail address and the
     *   user has no explicitly configured one, addProperty(new Mailer.UserProperty(mail)), which
     *   saves config.xml. So the first lookup of a user with a mail address saves (and creates
     *   the record of a user Jenkins had none of); later ones do not.
     * - "active-directory": ActiveDirectoryUserDetail.updateUserInfo (active-directory plugin,
     *   ActiveDirectoryUserDetail.java:195-212), the same steps on the plugin's thread pool after
     *   every lookup the cache does not answer (ActiveDirectoryUnixAuthenticationProvider.java:
     *   452-462; the default CacheConfiguration(0, 0) answers none). Its addProperty runs even
     *   when the directory has no mail (new Mailer.UserProperty(null) is not explicitly
     *   configured), so then every lookup saves.
     * - "none": Jenkins's own user database: a lookup writes nothing.
     * simDirectoryMail: whether the directory holds mail addresses (<id>@example.com).
     */
    static volatile String simDirectory = 'none'
    static volatile boolean simDirectoryMail = true
    static final List<String> SIM_DIRECTORIES = ['none', 'ldap', 'active-directory']
    /** The active-directory plugin's thread pool for updateUserInfo (one thread here: saves in order). */
    static final java.util.concurrent.ExecutorService SIM_DIRECTORY_UPDATES = java.util.concurrent.Executors.newSingleThreadExecutor({ Runnable r ->
        Thread t = new Thread(r, 'sim-active-directory-update')
        t.daemon = true
        t
    } as java.util.concurrent.ThreadFactory)

    /**
     * --realm-respell lowercase: the realm stands for the ldap plugin with
     * -Dhudson.security.LDAPSecurityRealm.forceUsernameLowercase=true. Its loadUserByUsername2
     * looks up fixUsername(username), the name lower-cased with String.toLowerCase()
     * (LDAPSecurityRealm.java:243-244, 759-761, 888-890, 1272 at ldap-plugin 7d7de30), answers
     * details under that name (user.setUsername(username), 1296), and logs in under it too
     * (authenticate2, 750-753). Its updateUserDetails makes the user record under that spelling
     * too (User.get(fixUsername(d.getUsername()), true, emptyMap), 776): with --realm-directory
     * ldap, simLookedUp does, from the answer's name. Under a case-sensitive id strategy "Alice"
     * and "alice" are two ids, and the realm's answer for "Alice" is the user "alice".
     */
    static boolean simLowercaseNames = false

    private final Set<String> externalIds = Collections.synchronizedSet(new HashSet<String>())

    /** The statuses a directory can give an account (POST /__sim/realm-accounts), by keyFor(id). */
    static final List<String> SIM_ACCOUNT_STATUSES = ['active', 'disabled', 'locked', 'expired', 'credentials_expired',
                                                      'unavailable', 'data_access_failure']
    private final Map<String, String> accountStatus = new java.util.concurrent.ConcurrentHashMap<String, String>()
    /** Passwords the directory holds for external ids, by keyFor(id). */
    private final Map<String, Details> externalPasswords = new java.util.concurrent.ConcurrentHashMap<String, Details>()

    IdStrategy getUserIdStrategy() { simIdStrategy }

    User createAccount(String userName, String password) throws IOException {
        User user = User.getById(userName, true)
        user.addProperty(Details.fromPlainPassword(password))
        return user
    }

    User createAccountWithHashedPassword(String userName, String hashedPassword) throws IOException {
        User user = User.getById(userName, true)
        user.addProperty(new Details(hashedPassword))
        return user
    }

    List<User> getAllUsers() {
        User.getAll().findAll { it.getProperty(Details) != null } as List<User>
    }

    User getUser(String id) { User.getById(id, false) }

    UserDetails simLoadUser(String username) throws UsernameNotFoundException {
        if (!simLookupSupported) {
            throw new UserMayOrMayNotExistException2('the realm cannot look up ' + username)
        }
        // The round trip to the directory (--realm-latency), made before anything is known of
        // the id, and outside every monitor: other lookups and requests go on meanwhile.
        jenkinssim.SimLatency.realmLookup()
        if (simLowercaseNames) {
            username = username.toLowerCase()
        }
        String status = accountStatus.get(User.idStrategy().keyFor(username))
        // A directory that fails to answer fails the lookup itself, before any account is found:
        // LDAPUserDetailsService wraps a failed search in AuthenticationServiceException (ldap
        // plugin LDAPSecurityRealm.java:1348-1349); Acegi-era realms declare DataAccessException.
        if (status == 'unavailable') {
            throw new AuthenticationServiceException('Failed to search LDAP for ' + username)
        }
        if (status == 'data_access_failure') {
            throw new DataAccessResourceFailureException('Failed to search the user directory for ' + username)
        }
        User u = User.getById(username, false)
        Details d = u == null ? null : u.getProperty(Details)
        UserDetails found = null
        if (d != null) {
            found = new org.springframework.security.core.userdetails.User(u.id, '', ['authenticated'])
        } else if (externalIds.contains(User.idStrategy().keyFor(username))) {
            found = new org.springframework.security.core.userdetails.User(username, '', ['authenticated'])
        }
        if (found == null) {
            throw new UsernameNotFoundException(u == null ? username : 'Password is not set: ' + username)
        }
        simCheckAccountStatus(username, status)
        return found
    }

    @Override
    protected void simLookedUp(UserDetails d) {
        String id = d.username
        switch (simDirectory) {
            case 'ldap':
                simUpdateUserDetails(id)
                break
            case 'active-directory':
                SIM_DIRECTORY_UPDATES.execute({
                    try {
                        simUpdateUserDetails(id)
                    } catch (Exception e) {
                        System.err.println('jenkins-sim: active-directory update of ' + id + ': ' + e)
                    }
                } as Runnable)
                break
        }
    }

    @Override
    UserDetails simUserDetailsService(String username) throws UsernameNotFoundException {
        UserDetails d = simLoadUser(username)
        if (simDirectory == 'active-directory') {
            simLookedUp(d) // AbstractPasswordBasedSecurityRealm's user details service is loadUserByUsername2
        }
        d
    }

    /** The directory plugins' update of a looked-up user's record (see simDirectory). */
    private static void simUpdateUserDetails(String id) {
        User u = User.getById(id, true)
        String displayName = 'Directory ' + id
        if (u.id == u.fullName && u.fullName != displayName) {
            u.setFullName(displayName)
        }
        String mail = simDirectoryMail ? id + '@example.com' : null
        if (simDirectory == 'ldap' && mail == null) {
            return // the ldap plugin adds no property without a mail address
        }
        hudson.tasks.Mailer.UserProperty existing = u.getProperty(hudson.tasks.Mailer.UserProperty)
        if (existing == null || !existing.hasExplicitlyConfiguredAddress()) {
            u.addProperty(new hudson.tasks.Mailer.UserProperty(mail))
        }
    }

    /** Waits until the active-directory updates queued so far have run. */
    static void simSettleDirectoryUpdates() {
        SIM_DIRECTORY_UPDATES.submit({} as Runnable).get(30, java.util.concurrent.TimeUnit.SECONDS)
    }

    /**
     * The ldap plugin's checks of a found account, in its order (LDAPSecurityRealm.java:1320-1323,
     * UserAttributesHelper.java:88-200; ldap plugin 2.2 and later), with its messages.
     */
    private static void simCheckAccountStatus(String username, String status) {
        switch (status) {
            case 'disabled':
                throw new DisabledException('The user "' + username + '" is administratively disabled.')
            case 'expired':
                throw new AccountExpiredException('The user "' + username + '" is expired since 20260101000000Z.')
            case 'credentials_expired':
                throw new CredentialsExpiredException('The user "' + username + '" has expired credentials.')
            case 'locked':
                throw new LockedException('The user "' + username + '" is locked and must be unlocked by an administrator.')
        }
    }

    /** Simulator hook: the directory gives the account of id this status ("active" clears it). */
    void simSetAccountStatus(String id, String status) {
        String key = User.idStrategy().keyFor(id)
        if (status == 'active') {
            accountStatus.remove(key)
        } else {
            accountStatus.put(key, status)
        }
    }

    /** Simulator hook: the realm now knows these ids (as LDAP would). */
    void simAddExternalUsers(Collection<String> ids) {
        ids.each { externalIds.add(User.idStrategy().keyFor(it)) }
    }

    /**
     * Simulator hook: the directory accepts this password for id, as a directory (or JenkinsRule's
     * dummy realm, whose password is the user name) authenticates users Jenkins holds no record for.
     */
    void simSetExternalPassword(String id, String password) {
        externalPasswords.put(User.idStrategy().keyFor(id), Details.fromPlainPassword(password))
    }

    /** Simulator hook: the directory no longer knows these ids. */
    void simRemoveExternalUsers(Collection<String> ids) {
        ids.each {
            externalIds.remove(User.idStrategy().keyFor(it))
            externalPasswords.remove(User.idStrategy().keyFor(it))
        }
    }

    /**
     * Password check used by Basic auth: the name the realm authenticated, or null. A user with a
     * Details property is checked against it; a directory user without one against the password
     * the directory holds (simSetExternalPassword). No user record is made or saved.
     */
    String simAuthenticate(String username, String password) {
        if (simLowercaseNames) {
            username = username.toLowerCase()
        }
        User u = User.getById(username, false)
        Details d = u == null ? null : u.getProperty(Details)
        String name = u == null ? username : u.id
        if (d == null) {
            String key = User.idStrategy().keyFor(username)
            d = externalIds.contains(key) ? externalPasswords.get(key) : null
        }
        if (d == null || !d.isPasswordCorrect(password)) {
            return null
        }
        String status = accountStatus.get(User.idStrategy().keyFor(name))
        if (status != null && status in ['disabled', 'locked', 'expired', 'credentials_expired']) {
            // The realm's authentication manager refuses a disabled, locked or expired account
            // as it refuses a wrong password, and BasicHeaderRealPasswordAuthenticator turns its
            // AuthenticationException into "not me" (401; BasicHeaderRealPasswordAuthenticator.java:64-67).
            return null
        }
        name
    }

    static class Details extends UserProperty {
        private final String passwordHash

        Details(String passwordHash) { this.passwordHash = passwordHash }

        static Details fromPlainPassword(String password) {
            jenkinssim.SimSecrets.saw(password, 'password')
            byte[] salt = new byte[8]
            new SecureRandom().nextBytes(salt)
            String saltHex = salt.encodeHex().toString()
            new Details('#sha256:' + saltHex + ':' + hash(saltHex, password))
        }

        String getPassword() { passwordHash }

        boolean isPasswordCorrect(String candidate) {
            if (candidate == null || !passwordHash.startsWith('#sha256:')) {
                return false
            }
            String[] parts = passwordHash.split(':')
            MessageDigest.isEqual(parts[2].getBytes('US-ASCII'), hash(parts[1], candidate).getBytes('US-ASCII'))
        }

        private static String hash(String salt, String password) {
            MessageDigest.getInstance('SHA-256').digest((salt + ':' + password).getBytes('UTF-8')).encodeHex().toString()
        }
    }
}
