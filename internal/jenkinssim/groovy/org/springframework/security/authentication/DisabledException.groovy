package org.springframework.security.authentication

// An account an administrator disabled (Active Directory's ACCOUNTDISABLE flag, pwdAccountLockedTime 000001010000Z, eDirectory loginDisabled).
class DisabledException extends AccountStatusException {
    DisabledException(String msg) { super(msg) }
}
