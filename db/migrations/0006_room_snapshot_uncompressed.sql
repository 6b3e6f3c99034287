-- Snapshots are read in parts (db/room-storage.ts, SNAPSHOT_PART_BYTES). A compressed value must be
-- decompressed from its start for every part, so reading one took time quadratic in its size (2.5 MB
-- in 64 KB parts: 81 ms); stored uncompressed, each part reads only its own chunks (1 ms). Values
-- already stored stay compressed until the room next compacts and writes its snapshot again.
ALTER TABLE "room_snapshot" ALTER COLUMN "state" SET STORAGE EXTERNAL;
