package org.springframework.security.core.userdetails

// Stand-in for Spring Security's UserDetails, returned by SecurityRealm.loadUserByUsername2.
interface UserDetails extends Serializable {
    Collection<String> getAuthorities()
    String getPassword()
    String getUsername()
    boolean isAccountNonExpired()
    boolean isAccountNonLocked()
    boolean isCredentialsNonExpired()
    boolean isEnabled()
}
