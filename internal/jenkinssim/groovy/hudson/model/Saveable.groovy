package hudson.model

interface Saveable {
    void save() throws IOException
}
