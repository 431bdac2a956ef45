package org.acegisecurity.userdetails

import org.acegisecurity.BadCredentialsException

// What SecurityRealm.loadUserByUsername throws for an unknown user (the Acegi API, before 2.266).
class UsernameNotFoundException extends BadCredentialsException {
    UsernameNotFoundException(String msg) { super(msg) }
}
