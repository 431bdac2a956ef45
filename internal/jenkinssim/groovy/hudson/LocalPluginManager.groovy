package hudson

// Jenkins's default PluginManager (PluginManager.createDefault). Simulator-only constructor:
// "shortName:version" entries (the launcher gives every plugin a version).
class LocalPluginManager extends PluginManager {
    LocalPluginManager(List<String> entries) {
        super(entries.collect { String e ->
            int c = e.indexOf(':')
            new PluginWrapper(e.substring(0, c), e.substring(c + 1))
        })
    }
}
