import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional } from "sequelize";

export const RESOURCES = ["cold_water", "hot_water", "heating", "electricity", "gas", "sewerage"] as const;
export type Resource = (typeof RESOURCES)[number];
export const DEADLINE_UNITS = ["minutes", "hours", "calendar_days", "working_days"] as const;
export type DeadlineUnit = (typeof DEADLINE_UNITS)[number];

export class Category extends Model<InferAttributes<Category>, InferCreationAttributes<Category>> {
  declare id: CreationOptional<number>;
  declare code: string;
  declare name: string;
  declare groupName: string;
  declare resource: Resource | null;
  declare emergency: CreationOptional<boolean>;
  declare deadlineValue: number;
  declare deadlineUnit: DeadlineUnit;
  declare deadlineBasis: string;
  declare deadlineVerified: CreationOptional<boolean>;
  declare normRef: string | null;
  declare active: CreationOptional<boolean>;
  declare sortOrder: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize) {
    Category.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        code: { type: DataTypes.TEXT, allowNull: false },
        name: { type: DataTypes.TEXT, allowNull: false },
        groupName: { type: DataTypes.TEXT, allowNull: false },
        resource: DataTypes.TEXT,
        emergency: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        deadlineValue: { type: DataTypes.INTEGER, allowNull: false },
        deadlineUnit: { type: DataTypes.TEXT, allowNull: false },
        deadlineBasis: { type: DataTypes.TEXT, allowNull: false },
        deadlineVerified: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        normRef: DataTypes.TEXT,
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        sortOrder: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "categories" },
    );
  }
}
