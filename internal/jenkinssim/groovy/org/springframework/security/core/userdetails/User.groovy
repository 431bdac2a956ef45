package org.springframework.security.core.userdetails

// Plain UserDetails implementation, as Spring's own User class.
class User implements UserDetails {
    private final String username
    private final String password
    private final List<String> authorities

    User(String username, String password, Collection<String> authorities) {
        this.username = username
        this.password = password
        this.authorities = new ArrayList<String>(authorities)
    }

    Collection<String> getAuthorities() { Collections.unmodifiableList(authorities) }
    String getPassword() { password }
    String getUsername() { username }
    boolean isAccountNonExpired() { true }
    boolean isAccountNonLocked() { true }
    boolean isCredentialsNonExpired() { true }
    boolean isEnabled() { true }
    String toString() { getClass().name + ' [Username=' + username + ', Password=[PROTECTED], Enabled=true, Granted Authorities=' + authorities + ']' }
}
