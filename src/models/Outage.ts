import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional, type NonAttribute } from "sequelize";
import type { Resource } from "./Category.ts";
import type { Building } from "./Building.ts";
import type { Organisation } from "./Organisation.ts";

export const OUTAGE_KINDS = ["planned", "emergency"] as const;
export type OutageKind = (typeof OUTAGE_KINDS)[number];

export class Outage extends Model<InferAttributes<Outage>, InferCreationAttributes<Outage>> {
  declare id: CreationOptional<number>;
  declare resource: Resource;
  declare kind: OutageKind;
  declare startsAt: Date;
  declare expectedEndAt: Date;
  declare endedAt: Date | null;
  declare cancelledAt: Date | null;
  declare reason: string;
  declare orgId: number;
  declare registeredByUserId: number | null;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare buildings?: NonAttribute<Building[]>;
  declare org?: NonAttribute<Organisation>;

  static initModel(sequelize: Sequelize) {
    Outage.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        resource: { type: DataTypes.TEXT, allowNull: false },
        kind: { type: DataTypes.TEXT, allowNull: false },
        startsAt: { type: DataTypes.DATE, allowNull: false },
        expectedEndAt: { type: DataTypes.DATE, allowNull: false },
        endedAt: DataTypes.DATE,
        cancelledAt: DataTypes.DATE,
        reason: { type: DataTypes.TEXT, allowNull: false },
        orgId: { type: DataTypes.INTEGER, allowNull: false },
        registeredByUserId: DataTypes.INTEGER,
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "outages" },
    );
  }
}

export class OutageBuilding extends Model<InferAttributes<OutageBuilding>, InferCreationAttributes<OutageBuilding>> {
  declare outageId: number;
  declare buildingId: number;

  static initModel(sequelize: Sequelize) {
    OutageBuilding.init(
      {
        outageId: { type: DataTypes.INTEGER, primaryKey: true },
        buildingId: { type: DataTypes.INTEGER, primaryKey: true },
      },
      { sequelize, tableName: "outage_buildings", timestamps: false },
    );
  }
}

/** A ticket linked to an outage: a child of that mass incident. */
export class OutageTicket extends Model<InferAttributes<OutageTicket>, InferCreationAttributes<OutageTicket>> {
  declare ticketId: number;
  declare outageId: number;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    OutageTicket.init(
      {
        ticketId: { type: DataTypes.INTEGER, primaryKey: true },
        outageId: { type: DataTypes.INTEGER, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "outage_tickets", updatedAt: false },
    );
  }
}
