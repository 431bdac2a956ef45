package hudson.model

// Minimal Descriptor: an id (the described class's name) and a display name.
abstract class Descriptor<T> implements Saveable {
    final Class<? extends T> clazz

    protected Descriptor(Class<? extends T> clazz) { this.clazz = clazz }

    String getId() { clazz.name }

    Class<? extends T> getT() { clazz }

    String getDisplayName() { clazz.simpleName }

    String getDescriptorUrl() { 'descriptorByName/' + getId() }

    void save() throws IOException {}

    void load() {}
}
