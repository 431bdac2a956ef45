package hudson.security

import hudson.model.User
import jenkins.model.Jenkins
import org.springframework.security.core.Authentication

// The simulator's authorization: the configured admin holds Overall/Administer, every other
// logged-in user Overall/Read, anonymous nothing; SYSTEM holds everything.
class AuthorizationStrategy {
    private final ACL root = ACL.lambda2 { Authentication a, Permission p ->
        if (a.is(ACL.SYSTEM2)) {
            return true
        }
        if (ACL.isAnonymous2(a)) {
            return false
        }
        if (Jenkins.get().isSimAdmin(a.name)) {
            return true
        }
        return p.isImpliedBy(Jenkins.READ)
    }

    ACL getRootACL() { root }

    /** A user's ACL: the user themself (not anonymous) may do anything to their own record. */
    ACL getACL(User user) {
        ACL.lambda2 { Authentication a, Permission p ->
            (!ACL.isAnonymous2(a) && User.idStrategy().equals(a.name, user.id)) || root.hasPermission2(a, p)
        }
    }
}
