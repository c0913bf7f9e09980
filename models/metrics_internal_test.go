package models

import (
	"reflect"
	"testing"
)

// Packed histograms are read strictly; merging adds equal buckets up in
// bucket order, inside and outside the dense range.
func TestUnpackAndMergeBuckets(t *testing.T) {
	got, err := unpackBuckets(nil, []byte("82:3,7:1,82:2"))
	if err != nil || !reflect.DeepEqual(got, []BucketCount{{82, 3}, {7, 1}, {82, 2}}) {
		t.Fatalf("unpack: %v %v", got, err)
	}
	for _, bad := range []string{"82", "82:", ":3", "82:3,", "82:3,,1:1", "8a:3", "82:-3", "1:99999999999999999999"} {
		if _, err := unpackBuckets(nil, []byte(bad)); err == nil {
			t.Errorf("%q unpacked", bad)
		}
	}
	m := MergeHistograms([]BucketCount{{82, 3}, {7, 1}, {900, 1}}, []BucketCount{{82, 2}, {900, 4}, {600, 1}})
	if !reflect.DeepEqual(m, []BucketCount{{7, 1}, {82, 5}, {600, 1}, {900, 5}}) {
		t.Fatalf("merge: %v", m)
	}
}
