package hudson.security

import hudson.model.User
import hudson.model.UserProperty
import jenkins.model.IdStrategy
import jenkins.model.Jenkins
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

    private final Set<String> externalIds = Collections.synchronizedSet(new HashSet<String>())

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
        User u = User.getById(username, false)
        Details d = u == null ? null : u.getProperty(Details)
        if (d != null) {
            return new org.springframework.security.core.userdetails.User(u.id, '', ['authenticated'])
        }
        if (externalIds.contains(User.idStrategy().keyFor(username))) {
            return new org.springframework.security.core.userdetails.User(username, '', ['authenticated'])
        }
        throw new UsernameNotFoundException(u == null ? username : 'Password is not set: ' + username)
    }

    /** Simulator hook: the realm now knows these ids (as LDAP would). */
    void simAddExternalUsers(Collection<String> ids) {
        ids.each { externalIds.add(User.idStrategy().keyFor(it)) }
    }

    /** Simulator hook: the directory no longer knows these ids. */
    void simRemoveExternalUsers(Collection<String> ids) {
        ids.each { externalIds.remove(User.idStrategy().keyFor(it)) }
    }

    /** Password check used by Basic auth; returns the user or null. */
    User simAuthenticate(String username, String password) {
        User u = User.getById(username, false)
        Details d = u == null ? null : u.getProperty(Details)
        (d != null && d.isPasswordCorrect(password)) ? u : null
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
