package org.springframework.dao

// Spring's base of data-source failures: what Acegi-era realms declare beside
// UsernameNotFoundException on loadUserByUsername (SecurityRealm.loadUserByUsername's throws clause).
abstract class DataAccessException extends RuntimeException {
    DataAccessException(String msg) { super(msg) }
}
