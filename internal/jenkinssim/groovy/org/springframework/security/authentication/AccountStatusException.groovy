package org.springframework.security.authentication

import org.springframework.security.core.AuthenticationException

// Spring's base of "the account exists but may not log in". The ldap plugin (2.2 and later)
// throws its subclasses from loadUserByUsername2 for accounts the directory marks disabled,
// expired or locked (UserAttributesHelper), and its DelegateLDAPUserDetailsService rethrows them.
abstract class AccountStatusException extends AuthenticationException {
    AccountStatusException(String msg) { super(msg) }
}
