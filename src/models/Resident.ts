import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional, type NonAttribute } from "sequelize";
import type { Apartment } from "./Building.ts";

export class Resident extends Model<InferAttributes<Resident>, InferCreationAttributes<Resident>> {
  declare id: CreationOptional<number>;
  declare fullName: string | null;
  declare phone: string | null; // E.164
  declare email: string | null;
  declare consentAt: Date | null;
  declare consentVersion: string | null;
  declare anonymisedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare apartments?: NonAttribute<Apartment[]>;

  static initModel(sequelize: Sequelize) {
    Resident.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        fullName: DataTypes.TEXT,
        phone: DataTypes.TEXT,
        email: DataTypes.TEXT,
        consentAt: DataTypes.DATE,
        consentVersion: DataTypes.TEXT,
        anonymisedAt: DataTypes.DATE,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "residents" },
    );
  }
}

export class ResidentApartment extends Model<InferAttributes<ResidentApartment>, InferCreationAttributes<ResidentApartment>> {
  declare residentId: number;
  declare apartmentId: number;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    ResidentApartment.init(
      {
        residentId: { type: DataTypes.INTEGER, primaryKey: true },
        apartmentId: { type: DataTypes.INTEGER, primaryKey: true },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: "resident_apartments", updatedAt: false },
    );
  }
}

export const CHANNELS = ["telegram", "vk"] as const;
export type MessengerChannel = (typeof CHANNELS)[number];

export class MessengerIdentity extends Model<InferAttributes<MessengerIdentity>, InferCreationAttributes<MessengerIdentity>> {
  declare id: CreationOptional<number>;
  declare channel: MessengerChannel;
  declare externalId: string;
  declare residentId: number | null;
  declare userId: number | null;
  declare username: string | null;
  declare resident?: NonAttribute<Resident | null>;
  declare blockedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    MessengerIdentity.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        channel: { type: DataTypes.TEXT, allowNull: false },
        externalId: { type: DataTypes.TEXT, allowNull: false },
        residentId: DataTypes.INTEGER,
        userId: DataTypes.INTEGER,
        username: DataTypes.TEXT,
        blockedAt: DataTypes.DATE,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "messenger_identities" },
    );
  }
}
