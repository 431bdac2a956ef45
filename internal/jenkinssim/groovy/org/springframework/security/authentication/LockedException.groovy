package org.springframework.security.authentication

// A locked account (Active Directory's LOCKOUT flag, pwdLockout, eDirectory lockedByIntruder): often a lockout after wrong passwords.
class LockedException extends AccountStatusException {
    LockedException(String msg) { super(msg) }
}
