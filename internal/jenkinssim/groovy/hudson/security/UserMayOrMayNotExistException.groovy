package hudson.security

// The Acegi form of UserMayOrMayNotExistException2 (SecurityRealm.loadUserByUsername).
class UserMayOrMayNotExistException extends org.acegisecurity.userdetails.UsernameNotFoundException {
    UserMayOrMayNotExistException(String msg) { super(msg) }
}
