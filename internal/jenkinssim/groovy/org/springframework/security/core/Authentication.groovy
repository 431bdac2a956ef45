package org.springframework.security.core

// Stand-in for Spring Security's Authentication: the identity a request or script runs as.
interface Authentication extends java.security.Principal, Serializable {
    Collection<String> getAuthorities()
    boolean isAuthenticated()
    Object getPrincipal()
}
