package conformance

import (
	"reflect"
	"testing"
)

// Mirrors core/src/test/java/jenkins/security/apitoken/ApiTokenStatsTest.java (the unit test,
// not the one in test/). Its createFromFile(dir) reads dir/apiTokenStats.xml afresh; here the
// file is that of a saved user and ApiTokenStats.load(user) reads it afresh. The private
// members the unit test reaches by reflection are reached the same way from the scripts.

// statsPrelude defines load(): a fresh ApiTokenStats read from the saved user's stats file.
const statsPrelude = `def u = User.getById(params.id, true)
u.save()
def load = { ApiTokenStats.load(u) }
// createSingleTokenStatsByReflection; date is null, a Date or 'yyyy-MM-dd HH:mm:ss.SSS'
def single = { String uuid, date, Integer counter ->
    def c = ApiTokenStats.SingleTokenStats.getDeclaredConstructor(String)
    c.setAccessible(true)
    def s = c.newInstance(uuid)
    def f = ApiTokenStats.SingleTokenStats.getDeclaredField('useCounter'); f.setAccessible(true); f.set(s, counter)
    if (date != null) {
        f = ApiTokenStats.SingleTokenStats.getDeclaredField('lastUseDate'); f.setAccessible(true)
        f.set(s, date instanceof Date ? date : new java.text.SimpleDateFormat('yyyy-MM-dd HH:mm:ss.SSS').parse(date))
    }
    s
}
def setList = { stats, List list -> def f = ApiTokenStats.getDeclaredField('tokenStats'); f.setAccessible(true); f.set(stats, list) }
def view = { s -> [counter: s.getUseCounter(), lastUseNull: s.getLastUseDate() == null, days: s.getNumDaysUse()] }
`

type statsView struct {
	Counter     int
	LastUseNull bool
	Days        int64
}

// TestCoreApiTokenStats_regularUsage mirrors core ApiTokenStatsTest#regularUsage.
func TestCoreApiTokenStats_regularUsage(t *testing.T) {
	fresh(t)
	var r struct {
		Empty, First, Second, Other0, Other1 statsView
		SecondIsLater                        bool
		Reload, AfterRemove                  []int
	}
	scriptJSON(t, statsPrelude+`def ID_1 = UUID.randomUUID().toString()
def ID_2 = 'other-uuid'
def out = [:]
def s = load()
s.removeId(ID_1) // can remove an id that does not exist
s.save()         // empty stats can be saved
out.empty = view(load().findTokenStatsById(ID_1))
def st = load().updateUsageForId(ID_1)
out.first = view(st)
Date lastUsage = st.getLastUseDate()
Thread.sleep(10)
st = load().updateUsageForId(ID_1)
out.second = view(st)
out.secondIsLater = lastUsage.before(st.getLastUseDate())
s = load()
out.other0 = view(s.findTokenStatsById(ID_2))
out.other1 = view(s.updateUsageForId(ID_2))
s = load()
out.reload = [s.findTokenStatsById(ID_1).getUseCounter(), s.findTokenStatsById(ID_2).getUseCounter()]
s.removeId(ID_1)
s = load()
out.afterRemove = [s.findTokenStatsById(ID_1).getUseCounter(), s.findTokenStatsById(ID_2).getUseCounter()]
println JsonOutput.toJson(out)`, map[string]any{"id": "stats-user"}, &r)

	if (r.Empty != statsView{0, true, 0}) {
		t.Errorf("empty stats: %+v", r.Empty)
	}
	// numDaysUse: 0 normally, at most 1 when run at midnight.
	if r.First.Counter != 1 || r.First.LastUseNull || r.First.Days > 1 {
		t.Errorf("first use: %+v", r.First)
	}
	if r.Second.Counter != 2 || !r.SecondIsLater || r.Second.Days > 1 {
		t.Errorf("second use: %+v, later %v", r.Second, r.SecondIsLater)
	}
	if (r.Other0 != statsView{0, true, 0}) || r.Other1.Counter != 1 || r.Other1.Days > 1 {
		t.Errorf("other id: %+v then %+v", r.Other0, r.Other1)
	}
	if !reflect.DeepEqual(r.Reload, []int{2, 1}) || !reflect.DeepEqual(r.AfterRemove, []int{0, 1}) {
		t.Errorf("reloaded counters %v, after removing ID_1 %v", r.Reload, r.AfterRemove)
	}
}

// TestCoreApiTokenStats_testResilientIfFileDoesNotExist mirrors core ApiTokenStatsTest#testResilientIfFileDoesNotExist.
func TestCoreApiTokenStats_testResilientIfFileDoesNotExist(t *testing.T) {
	fresh(t)
	scriptOK(t, statsPrelude+`assert load() != null
assert ApiTokenStats.load(User.getById('never-saved', true)) != null`, map[string]any{"id": "stats-user"})
}

// TestCoreApiTokenStats_resistantToDuplicatedUuid mirrors core ApiTokenStatsTest#resistantToDuplicatedUuid.
// The unit test edits the XML file to rename ID_1 and ID_3 to ID_2; here the stats read back
// get the same renaming and are saved again.
func TestCoreApiTokenStats_resistantToDuplicatedUuid(t *testing.T) {
	fresh(t)
	var r []int
	scriptJSON(t, statsPrelude+`def ID_1 = UUID.randomUUID().toString()
def ID_2 = UUID.randomUUID().toString()
def ID_3 = UUID.randomUUID().toString()
def s = load()
// counter 4 for ID_1, 2 for ID_2 and 1 for ID_3; the pauses make every use date distinct,
// as the file writes between the uses do in Jenkins.
[ID_1, ID_1, ID_1, ID_1, ID_2, ID_3, ID_2].each { s.updateUsageForId(it); Thread.sleep(3) }
s = load()
def f = ApiTokenStats.getDeclaredField('tokenStats'); f.setAccessible(true)
setList(s, f.get(s).collect { single(ID_2, it.getLastUseDate(), it.getUseCounter()) })
s.save()
s = load()
println JsonOutput.toJson([ID_1, ID_2, ID_3].collect { s.findTokenStatsById(it).getUseCounter() })`, map[string]any{"id": "stats-user"}, &r)
	// Only the most recent information is kept: ID_2's second use.
	if !reflect.DeepEqual(r, []int{0, 2, 0}) {
		t.Fatalf("counters of ID_1, ID_2, ID_3: %v, want [0 2 0]", r)
	}
}

// TestCoreApiTokenStats_resistantToDuplicatedUuid_withNull mirrors core ApiTokenStatsTest#resistantToDuplicatedUuid_withNull.
func TestCoreApiTokenStats_resistantToDuplicatedUuid_withNull(t *testing.T) {
	fresh(t)
	var r struct{ Counter int }
	scriptJSON(t, statsPrelude+`def ID = 'ID'
def stats = load()
setList(stats, [
    single(ID, null, 0),                       // A
    single(ID, '2018-05-01 09:10:59.234', 2), // B
    single(ID, '2018-05-01 09:10:59.234', 3), // C
    single(ID, '2018-05-01 09:10:59.235', 1), // D
])
stats.save()
println JsonOutput.toJson([counter: load().findTokenStatsById(ID).getUseCounter()])`, map[string]any{"id": "stats-user"}, &r)
	if r.Counter != 1 { // must be D, the last updated one
		t.Fatalf("counter %d, want 1", r.Counter)
	}
}

// TestCoreApiTokenStats_testInternalComparator mirrors core ApiTokenStatsTest#testInternalComparator.
func TestCoreApiTokenStats_testInternalComparator(t *testing.T) {
	fresh(t)
	var r []string
	scriptJSON(t, statsPrelude+`def list = [
    single('A', null, 0),
    single('B', '2018-05-01 09:10:59.234', 2),
    single('C', '2018-05-01 09:10:59.234', 3),
    single('D', '2018-05-01 09:10:59.235', 1),
]
def f = ApiTokenStats.SingleTokenStats.getDeclaredField('COMP_BY_LAST_USE_THEN_COUNTER')
f.setAccessible(true)
Comparator comparator = f.get(null)
Collections.shuffle(list, new Random(42))
list.sort(comparator)
println JsonOutput.toJson(list.collect { it.getTokenUuid() })`, map[string]any{"id": "stats-user"}, &r)
	if !reflect.DeepEqual(r, []string{"A", "B", "C", "D"}) {
		t.Fatalf("order %v", r)
	}
}

// TestCoreApiTokenStats_testDayDifference mirrors core ApiTokenStatsTest#testDayDifference.
func TestCoreApiTokenStats_testDayDifference(t *testing.T) {
	fresh(t)
	var r struct{ Before, After int64 }
	scriptJSON(t, statsPrelude+`def stats = load().updateUsageForId(UUID.randomUUID().toString())
long before = stats.getNumDaysUse()
def f = ApiTokenStats.SingleTokenStats.getDeclaredField('lastUseDate'); f.setAccessible(true)
f.set(stats, new Date(new Date().toInstant().minus(2, java.time.temporal.ChronoUnit.DAYS).minus(5, java.time.temporal.ChronoUnit.MINUTES).toEpochMilli()))
println JsonOutput.toJson([before: before, after: stats.getNumDaysUse()])`, map[string]any{"id": "stats-user"}, &r)
	if r.Before >= 1 || r.After < 2 {
		t.Fatalf("numDaysUse %d just used, %d two days and 5 minutes later", r.Before, r.After)
	}
}
