package org.springframework.security.authentication

import org.springframework.security.core.Authentication

// The authentication of a logged-in user (password or API token).
class UsernamePasswordAuthenticationToken implements Authentication {
    private final String name
    private final List<String> authorities

    UsernamePasswordAuthenticationToken(String name, Collection<String> authorities) {
        this.name = name
        this.authorities = new ArrayList<String>(authorities)
    }

    String getName() { name }
    Collection<String> getAuthorities() { Collections.unmodifiableList(authorities) }
    boolean isAuthenticated() { true }
    Object getPrincipal() { name }
    String toString() { getClass().name + '[Principal=' + name + ', Authenticated=true, Granted Authorities=' + authorities + ']' }
}
