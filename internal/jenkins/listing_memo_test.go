package jenkins

import "testing"

// A listing of every user and a listing of a user named "*" are different listings: one must
// never be served for the other.
func TestListingKeyTellsEveryUserFromAList(t *testing.T) {
	every := listingKey(nil, nil, false, false, false)
	for _, ids := range [][]string{{"*"}, {}, {"A"}, {""}} {
		if got := listingKey(ids, nil, false, false, false); got == every {
			t.Errorf("listingKey(%q) = listingKey(every user) = %q", ids, got)
		}
	}
	if listingKey([]string{"b", "a"}, []string{"y", "x"}, true, false, true) != listingKey([]string{"a", "b"}, []string{"x", "y"}, true, false, true) {
		t.Error("the same users and exclusions in another order make another key")
	}
	if listingKey([]string{"a"}, nil, false, false, false) == listingKey([]string{"a"}, nil, true, false, false) {
		t.Error("allowMissing does not change the key")
	}
}
