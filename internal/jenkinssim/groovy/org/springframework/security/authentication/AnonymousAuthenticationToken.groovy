package org.springframework.security.authentication

import org.springframework.security.core.Authentication

// Spring's anonymous token reports itself as authenticated, which /whoAmI shows.
class AnonymousAuthenticationToken implements Authentication {
    String getName() { 'anonymous' }
    Collection<String> getAuthorities() { ['anonymous'] }
    boolean isAuthenticated() { true }
    Object getPrincipal() { 'anonymous' }
    String toString() { getClass().name + '[Principal=anonymous, Authenticated=true, Granted Authorities=[anonymous]]' }
}
