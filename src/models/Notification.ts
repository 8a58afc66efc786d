import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional } from "sequelize";
import type { MessageButton } from "../notifications/channels.ts";
import { Building } from "./Building.ts";
import { Organisation } from "./Organisation.ts";
import { Outage, OutageBuilding, OutageTicket } from "./Outage.ts";

export const DELIVERY_STATUSES = ["queued", "sending", "retry", "sent", "failed", "dead", "skipped", "uncertain"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One notification to one person or address, on its current channel. */
export class Delivery extends Model<InferAttributes<Delivery>, InferCreationAttributes<Delivery>> {
  declare id: CreationOptional<number>;
  declare key: string;
  declare outboxId: number | null;
  declare kind: string;
  declare residentId: number | null;
  declare userId: number | null;
  declare email: string | null;
  declare channel: string | null;
  declare address: string | null;
  declare triedChannels: CreationOptional<string[]>;
  declare subject: string | null;
  declare text: string;
  declare html: string | null;
  declare buttons: MessageButton[][] | null;
  declare status: CreationOptional<DeliveryStatus>;
  declare attempts: CreationOptional<number>;
  /** Attempts the service answered with "too many requests" (not failures). */
  declare throttled: CreationOptional<number>;
  declare nextAttemptAt: CreationOptional<Date>;
  declare claimedAt: Date | null;
  declare sentAt: Date | null;
  declare externalId: string | null;
  declare lastError: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Delivery.init(
      {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
        key: { type: DataTypes.TEXT, allowNull: false },
        outboxId: DataTypes.BIGINT,
        kind: { type: DataTypes.TEXT, allowNull: false },
        residentId: DataTypes.INTEGER,
        userId: DataTypes.INTEGER,
        email: DataTypes.TEXT,
        channel: DataTypes.TEXT,
        address: DataTypes.TEXT,
        triedChannels: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
        subject: DataTypes.TEXT,
        text: { type: DataTypes.TEXT, allowNull: false },
        html: DataTypes.TEXT,
        buttons: DataTypes.JSONB,
        status: { type: DataTypes.TEXT, allowNull: false, defaultValue: "queued" },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        throttled: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        nextAttemptAt: DataTypes.DATE,
        claimedAt: DataTypes.DATE,
        sentAt: DataTypes.DATE,
        externalId: DataTypes.TEXT,
        lastError: DataTypes.TEXT,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "deliveries" },
    );
  }
}

/** Registers the outage and notification models (called from initModels). */
export function initNotificationModels(sequelize: Sequelize): void {
  for (const m of [Outage, OutageBuilding, OutageTicket, Delivery]) m.initModel(sequelize);
  Outage.belongsToMany(Building, { through: OutageBuilding, as: "buildings", foreignKey: "outageId", otherKey: "buildingId" });
  Outage.belongsTo(Organisation, { as: "org", foreignKey: "orgId" });
}
