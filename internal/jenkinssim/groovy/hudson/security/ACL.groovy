package hudson.security

import hudson.model.User
import jenkins.model.Jenkins
import org.springframework.security.authentication.AnonymousAuthenticationToken
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken
import org.springframework.security.core.Authentication

// Access control list plus the per-thread "current authentication" that Jenkins keeps in
// Spring's SecurityContextHolder. Request threads and script threads set it.
abstract class ACL {
    static final Authentication SYSTEM2 = new UsernamePasswordAuthenticationToken('SYSTEM', ['SYSTEM'])
    static final String ANONYMOUS_USERNAME = 'anonymous'
    static final Authentication ANONYMOUS = new AnonymousAuthenticationToken()

    private static final ThreadLocal<Authentication> CURRENT = new ThreadLocal<Authentication>()

    abstract boolean hasPermission2(Authentication a, Permission permission)

    boolean hasPermission(Permission permission) {
        hasPermission2(Jenkins.getAuthentication2(), permission)
    }

    void checkPermission(Permission permission) {
        Authentication a = Jenkins.getAuthentication2()
        if (!hasPermission2(a, permission)) {
            throw new AccessDeniedException3(a, permission)
        }
    }

    static boolean isAnonymous2(Authentication a) {
        a == null || a instanceof AnonymousAuthenticationToken
    }

    static Authentication current() {
        Authentication a = CURRENT.get()
        a == null ? ANONYMOUS : a
    }

    static void setCurrent(Authentication a) {
        if (a == null) {
            CURRENT.remove()
        } else {
            CURRENT.set(a)
        }
    }

    static ACLContext as2(Authentication auth) {
        ACLContext ctx = new ACLContext(CURRENT.get())
        setCurrent(auth)
        ctx
    }

    // `as` is a Groovy keyword, hence the quoted name; scripts call it as ACL.'as'(user).
    static ACLContext 'as'(User user) {
        as2(user == null ? ANONYMOUS : user.impersonate2())
    }

    /** An ACL from a closure (Authentication, Permission) -> boolean, like ACL.lambda2. */
    static ACL lambda2(Closure<Boolean> impl) {
        new ClosureACL(impl)
    }

    private static class ClosureACL extends ACL {
        private final Closure<Boolean> impl

        ClosureACL(Closure<Boolean> impl) { this.impl = impl }

        boolean hasPermission2(Authentication a, Permission permission) {
            impl.call(a, permission) as boolean
        }
    }
}
