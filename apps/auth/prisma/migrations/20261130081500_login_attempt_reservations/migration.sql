-- Password checks in progress per throttle key: reserved before bcrypt runs, released after, so parallel
-- attempts cannot overrun the failure limit. in_flight_at (the latest reservation) lets a count leaked by a
-- crashed process expire.
ALTER TABLE "login_throttles" ADD COLUMN "in_flight" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "login_throttles" ADD COLUMN "in_flight_at" TIMESTAMPTZ(3);
