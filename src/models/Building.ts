import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional, type NonAttribute } from "sequelize";
import type { Organisation } from "./Organisation.ts";

export class Building extends Model<InferAttributes<Building>, InferCreationAttributes<Building>> {
  declare id: CreationOptional<number>;
  declare settlement: string;
  declare cityDistrict: string | null;
  declare street: string;
  declare house: string;
  declare buildingPart: CreationOptional<string>;
  declare uoId: number | null;
  declare latitude: number | null;
  declare longitude: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare uo?: NonAttribute<Organisation>;

  static initModel(sequelize: Sequelize) {
    Building.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        settlement: { type: DataTypes.TEXT, allowNull: false },
        cityDistrict: DataTypes.TEXT,
        street: { type: DataTypes.TEXT, allowNull: false },
        house: { type: DataTypes.TEXT, allowNull: false },
        buildingPart: { type: DataTypes.TEXT, allowNull: false, defaultValue: "" },
        uoId: DataTypes.INTEGER,
        latitude: DataTypes.DOUBLE,
        longitude: DataTypes.DOUBLE,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "buildings" },
    );
  }
}

export class Apartment extends Model<InferAttributes<Apartment>, InferCreationAttributes<Apartment>> {
  declare id: CreationOptional<number>;
  declare buildingId: number;
  declare number: string;
  declare personalAccount: string | null;
  declare ownerName: string | null;
  declare floor: number | null;
  declare entrance: number | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare building?: NonAttribute<Building>;

  static initModel(sequelize: Sequelize) {
    Apartment.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        buildingId: { type: DataTypes.INTEGER, allowNull: false },
        number: { type: DataTypes.TEXT, allowNull: false },
        personalAccount: DataTypes.TEXT,
        ownerName: DataTypes.TEXT,
        floor: DataTypes.INTEGER,
        entrance: DataTypes.INTEGER,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "apartments" },
    );
  }
}
