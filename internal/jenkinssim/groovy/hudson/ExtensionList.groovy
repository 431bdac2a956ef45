package hudson

import jenkins.model.Jenkins

// The extensions of one type registered in the running Jenkins.
class ExtensionList<T> extends ArrayList<T> {
    final Class<T> extensionType

    ExtensionList(Class<T> type, Collection<T> items) {
        super(items)
        this.extensionType = type
    }

    static <T> ExtensionList<T> lookup(Class<T> type) {
        Jenkins.get().getExtensionList(type)
    }

    static <T> T lookupSingleton(Class<T> type) {
        ExtensionList<T> all = lookup(type)
        if (all.size() != 1) {
            throw new IllegalStateException('Expected 1 instance of ' + type.name + ' but got ' + all.size())
        }
        all.get(0)
    }

    static <T> T lookupFirst(Class<T> type) {
        ExtensionList<T> all = lookup(type)
        if (all.isEmpty()) {
            throw new IllegalStateException('Found no instances of ' + type.name)
        }
        all.get(0)
    }

    public <U extends T> U get(Class<U> type) {
        (U) find { type.isInstance(it) }
    }

    T getInstance(Class<T> type) { get(type) }
}
