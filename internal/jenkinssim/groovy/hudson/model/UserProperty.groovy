package hudson.model

import jenkins.model.Jenkins

// Serializable so that User.save() can take a deep snapshot (the simulator's config.xml).
abstract class UserProperty implements Serializable {
    protected transient User user

    protected void setUser(User u) { this.user = u }

    UserPropertyDescriptor getDescriptor() {
        (UserPropertyDescriptor) Jenkins.get().getDescriptor(getClass().name)
    }

    static List<UserPropertyDescriptor> all() {
        Jenkins.get().getExtensionList(UserPropertyDescriptor)
    }
}
