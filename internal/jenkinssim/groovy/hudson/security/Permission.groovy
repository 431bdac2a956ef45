package hudson.security

// A named permission; impliedBy chains model Jenkins's permission implication
// (Overall/Administer implies everything below it).
class Permission implements Serializable {
    static final Permission HUDSON_ADMINISTER = new Permission('hudson.model.Hudson.Administer', 'Overall', 'Administer', null)
    static final Permission GenericRead = new Permission('hudson.security.Permission.GenericRead', 'Permission', 'GenericRead', HUDSON_ADMINISTER)
    static final Permission READ = GenericRead

    final String id
    final String groupTitle
    final String name
    final Permission impliedBy

    Permission(String id, String groupTitle, String name, Permission impliedBy) {
        this.id = id
        this.groupTitle = groupTitle
        this.name = name
        this.impliedBy = impliedBy
    }

    String getId() { id }

    /** For example `Overall/Administer`, as in AccessDeniedException messages. */
    String toString() { groupTitle + '/' + name }

    /** True when holding `granted` gives this permission. */
    boolean isImpliedBy(Permission granted) {
        for (Permission p = this; p != null; p = p.impliedBy) {
            if (p.is(granted)) {
                return true
            }
        }
        return false
    }
}
