package spread

import (
	"reflect"
	"testing"
)

func TestByCost(t *testing.T) {
	cost := func(c int) int { return c % 10 }
	tests := []struct {
		name    string
		items   []int
		workers int
		want    [][]int
	}{
		{"no items", nil, 2, [][]int{nil, nil}},
		{"one worker", []int{3, 2, 1}, 1, [][]int{{3, 2, 1}}},
		{"no workers is one", []int{3, 2}, 0, [][]int{{3, 2}}},
		{"the cheapest worker takes the next item", []int{13, 12, 2, 1, 1}, 2, [][]int{{13, 1, 1}, {12, 2}}},
		{"ties go to the first", []int{1, 1, 1, 1}, 3, [][]int{{1, 1}, {1}, {1}}},
		{"more workers than items", []int{5}, 3, [][]int{{5}, nil, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ByCost(tt.items, cost, tt.workers); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ByCost(%v, %d) = %v, want %v", tt.items, tt.workers, got, tt.want)
			}
		})
	}
}
