// Walks: the scripts that go through many users or tokens (list_users, list_tokens,
// revoke_tokens) work to a time budget and say where they stopped, so that no call outlives a
// reverse proxy's read timeout however slow the directory or the disk; the client calls again
// from there (internal/jenkins/walk.go). p.budgetMs null: no budget.

// walkOver returns a closure that tells whether p's budget is spent (monotonic clock, measured
// from the script's start). A walk always finishes the unit it started and does at least one.
def walkOver(p) {
    if (p.budgetMs == null) {
        return { -> false }
    }
    long end = System.nanoTime() + (p.budgetMs as long) * 1000000L
    return { -> System.nanoTime() - end > 0 }
}

// walkUsers sorts users (hudson.model.User) in the walk's order, by Jenkins's key for the id
// (IdStrategy.keyFor: what makes two spellings one user), and returns [key, user] pairs from
// after the cursor (a key; null: from the start), with how many came before it:
// [pairs, skipped, total]. Keys are stable across calls, so users made or deleted between two
// calls neither shift the walk nor repeat a user.
def walkUsers(users, cursor) {
    def strategy = hudson.model.User.idStrategy()
    def pairs = users.collect { [strategy.keyFor(it.getId()), it] }.sort { a, b -> a[0] <=> b[0] }
    int start = cursor == null ? 0 : pairs.findIndexOf { it[0] > cursor }
    if (start < 0) {
        start = pairs.size()
    }
    [pairs.subList(start, pairs.size()), start, pairs.size()]
}

// walkEachUser calls visit(user) for users in the walk's order from after p.cursor until the
// budget is spent (over; at least one user per call), and returns the position for the answer:
// [next: the last key done, or null when every user is, done: users done so far, total].
def walkEachUser(users, p, over, Closure visit) {
    def walk = walkUsers(users, p.cursor)
    def lastKey = null
    int done = walk[1]
    for (e in walk[0]) {
        if (lastKey != null && over()) {
            return [next: lastKey, done: done, total: walk[2]]
        }
        lastKey = e[0]
        done++
        visit(e[1])
    }
    [next: null, done: done, total: walk[2]]
}
