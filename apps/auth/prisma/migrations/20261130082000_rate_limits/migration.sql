-- Fixed-window request counters (mail-sending endpoints, per IP and per target email).
CREATE TABLE "rate_limits" (
    "key" TEXT NOT NULL,
    "hits" INTEGER NOT NULL,
    "window_ends_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "rate_limits_window_ends_at_idx" ON "rate_limits"("window_ends_at");
