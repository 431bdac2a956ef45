package hudson.security.csrf

import hudson.model.Descriptor

// The salt and request field name shared by every issuer of one class (CrumbIssuerDescriptor).
// Like Jenkins, setCrumbRequestField does not save: a restart is back to the default.
abstract class CrumbIssuerDescriptor<T extends CrumbIssuer> extends Descriptor<CrumbIssuer> {
    private String crumbSalt
    private String crumbRequestField

    protected CrumbIssuerDescriptor(Class<? extends CrumbIssuer> clazz, String salt, String crumbRequestField) {
        super(clazz)
        setCrumbSalt(salt)
        setCrumbRequestField(crumbRequestField)
    }

    String getCrumbSalt() { crumbSalt }

    void setCrumbSalt(String salt) {
        crumbSalt = (salt == null || salt.trim().isEmpty()) ? 'hudson.crumb' : salt
    }

    String getCrumbRequestField() { crumbRequestField }

    void setCrumbRequestField(String requestField) {
        crumbRequestField = (requestField == null || requestField.trim().isEmpty()) ? CrumbIssuer.DEFAULT_CRUMB_NAME : requestField
    }
}
