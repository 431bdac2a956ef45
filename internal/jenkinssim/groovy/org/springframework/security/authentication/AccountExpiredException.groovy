package org.springframework.security.authentication

// An account past its end date (Active Directory's accountExpires, pwdEndTime, eDirectory loginExpirationTime) or before its start (pwdStartTime).
class AccountExpiredException extends AccountStatusException {
    AccountExpiredException(String msg) { super(msg) }
}
