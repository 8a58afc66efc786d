// The "reports" door: staff reports and ratings, open data, Open311 and its client admin.
// Always starts (it needs no configuration).
import type { DoorFactory } from "../../server.ts";
import { open311AdminRouter } from "../../open311/adminRouter.ts";
import { open311Router } from "../../open311/router.ts";
import { reportsRouter } from "../api/reports.ts";
import { openDataRouter } from "./data.ts";

export const reportsDoor: DoorFactory = async () => ({
  name: "reports",
  publicRouters: [openDataRouter(), open311Router()],
  routers: [reportsRouter(), open311AdminRouter()],
});
