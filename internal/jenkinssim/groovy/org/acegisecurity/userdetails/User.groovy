package org.acegisecurity.userdetails

class User implements UserDetails {
    private final String username
    private final String password

    User(String username, String password) {
        this.username = username
        this.password = password
    }

    String getUsername() { username }

    String getPassword() { password }
}
