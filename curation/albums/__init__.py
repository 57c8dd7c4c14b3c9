"""Albums: the producer's side (issue 5). So far the sequencer, which orders a set of tracks
for flow, as a DJ orders a set."""
