package hudson.security

import org.springframework.security.core.userdetails.UsernameNotFoundException

// A security realm that cannot tell whether a user exists (many SSO realms cannot look users up)
// answers this (since 2.266). Jenkins still lets such a user's API tokens log in, with the
// authorities it last recorded or only "authenticated" (User.getUserDetailsForImpersonation2).
class UserMayOrMayNotExistException2 extends UsernameNotFoundException {
    UserMayOrMayNotExistException2(String msg) { super(msg) }
}
