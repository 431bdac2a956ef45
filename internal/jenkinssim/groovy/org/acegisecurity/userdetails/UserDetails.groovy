package org.acegisecurity.userdetails

interface UserDetails extends Serializable {
    String getUsername()

    String getPassword()
}
