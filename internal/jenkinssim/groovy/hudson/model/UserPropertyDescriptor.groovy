package hudson.model

abstract class UserPropertyDescriptor extends Descriptor<UserProperty> {
    protected UserPropertyDescriptor(Class<? extends UserProperty> clazz) { super(clazz) }

    /** A default property for a new or loaded user, or null for none. */
    UserProperty newInstance(User user) { null }

    boolean isEnabled() { true }
}
