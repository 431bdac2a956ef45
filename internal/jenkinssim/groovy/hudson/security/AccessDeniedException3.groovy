package hudson.security

import org.springframework.security.access.AccessDeniedException
import org.springframework.security.core.Authentication

// Thrown by checkPermission; the HTTP layer turns it into the 403 page with diagnostic headers.
class AccessDeniedException3 extends AccessDeniedException {
    final Authentication authentication
    final Permission permission

    AccessDeniedException3(Authentication authentication, Permission permission) {
        super(authentication.name + ' is missing the ' + permission + ' permission')
        this.authentication = authentication
        this.permission = permission
    }
}
