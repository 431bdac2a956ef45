package jenkins.security

import hudson.model.UserProperty
import jenkinssim.SimClock
import org.springframework.security.core.Authentication

// What Jenkins records of interactive logins (SecurityListener.loggedIn): the authorities granted
// at the last login and when they last CHANGED. update() saves the user only when the roles differ,
// so timestamp is the first login or the last change of authorities, not every login. Jenkins has
// no getter for it; scripts read the private field.
class LastGrantedAuthoritiesProperty extends UserProperty {
    private volatile String[] roles
    private long timestamp

    Collection<String> getAuthorities2() {
        String[] r = roles
        if (r == null) {
            return ['authenticated']
        }
        List<String> out = ['authenticated']
        r.each { if (it != 'authenticated') { out.add(it) } }
        out
    }

    void update(Authentication auth) throws IOException {
        String[] a = (auth.authorities as List<String>) as String[]
        if (!Arrays.equals(roles, a)) {
            roles = a
            timestamp = SimClock.nowMillis()
            user.save()
        }
    }

    void invalidate() throws IOException {
        if (roles != null) {
            roles = null
            timestamp = SimClock.nowMillis()
            user.save()
        }
    }
}
